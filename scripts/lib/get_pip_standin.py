"""Offline stand-in for the get-pip.py that ansible-test downloads.

scripts/bootstrap copies this file to ~/.ansible/test/cache/get_pip_X_Y.py
(X.Y: the pip version that the installed ansible-test asks for). ansible-test
runs it in each fresh virtual environment it creates, with arguments such as
``--disable-pip-version-check pip==X.Y --no-setuptools --no-wheel``. This
script bootstraps pip from the interpreter's own ensurepip and then installs
the requested packages from the configured package index.
"""

import os
import subprocess
import sys

# get-pip.py options that pip itself does not know.
GET_PIP_ONLY = {'--no-setuptools', '--no-wheel', '--no-pip'}


def main():
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    env = dict(os.environ)
    env.pop('GET_PIP', None)
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'], env=env)
    packages = [arg for arg in args if not arg.startswith('-')]
    if packages:
        subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args, env=env)


if __name__ == '__main__':
    try:
        main()
    except subprocess.CalledProcessError as ex:
        sys.exit(ex.returncode)

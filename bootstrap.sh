#!/bin/sh
# bootstrap.sh - install what xraytop needs on Debian 12 (only what is
# missing), then generate, configure and build it in this folder.
#
#   ./bootstrap.sh [CONFIGURE-OPTIONS...]
#
# Packages are installed with apt-get (as root, or through sudo when it is
# there).  Configure runs again only when the options change.
set -eu
cd "$(dirname "$0")"

packages="build-essential autoconf automake pkg-config libncurses-dev libcjson-dev
libcurl4-openssl-dev libgraphviz-dev graphviz libxml2-utils python3 python3-pip valgrind tmux time"
# The Node.js SDK test (tests/cli/sdk-node.sh) needs node and npm; a node
# from elsewhere (with its own npm) is used as it is.
if ! command -v node > /dev/null 2>&1 || ! command -v npm > /dev/null 2>&1; then
	packages="$packages nodejs npm"
fi
# The AWS source's tests (tests/cli/aws-*.sh) check the fake X-Ray endpoint
# with the AWS CLI and botocore: Debian's awscli and python3-botocore when
# the machine has none.  moto_server and the X-Ray SDK for Python (the moto
# round trip) have no usable Debian 12 package; they come with the
# machine's Python.
if ! command -v aws > /dev/null 2>&1; then
	packages="$packages awscli"
fi
if ! python3 -c 'import botocore' > /dev/null 2>&1; then
	packages="$packages python3-botocore"
fi

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "bootstrap: installing$missing"
	if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
fi

# The tests drive the real AWS X-Ray SDK for Python, moto_server and the AWS
# CLI; Debian 12 does not package current versions of them, so they come
# from PyPI when they are missing (tests fail, never skip, without them).
pymods="aws_xray_sdk flask requests boto3 moto awscli"
pymissing=""
for m in $pymods; do
	python3 -c "import $m" 2>/dev/null || pymissing="$pymissing $m"
done
if [ -n "$pymissing" ]; then
	echo "bootstrap: installing Python packages for the tests:$pymissing"
	python3 -m pip install --quiet --user aws-xray-sdk flask requests boto3 'moto[server]' awscli ||
		python3 -m pip install --quiet --break-system-packages --user aws-xray-sdk flask requests boto3 'moto[server]' awscli
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	./autogen.sh
fi
stamp="configure $*"
if [ ! -f Makefile ] || [ ! -f .bootstrap-stamp ] || [ "$(cat .bootstrap-stamp)" != "$stamp" ]; then
	./configure "$@"
	echo "$stamp" > .bootstrap-stamp
fi
make -j"$(nproc)"

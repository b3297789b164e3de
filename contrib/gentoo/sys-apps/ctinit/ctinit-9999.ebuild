# Copyright 2026 Gentoo Authors
# Distributed under the terms of the GNU General Public License v2

EAPI=8

inherit cmake

# One body for the release and the live ebuild (ctinit-9999.ebuild is a copy of this file).
# The addresses are placeholders: the project has no public host yet (contrib/gentoo/README.md).
if [[ ${PV} == 9999 ]]; then
	inherit git-r3
	EGIT_REPO_URI="https://ctinit.example.org/ctinit.git"
else
	SRC_URI="https://ctinit.example.org/releases/${P}.tar.gz"
	KEYWORDS="~amd64 ~arm64"
fi

DESCRIPTION="PID 1 for system containers: runs inittab, OpenRC and systemd units as they are"
HOMEPAGE="https://ctinit.example.org/"

# The project ships no LICENSE file yet (contrib/gentoo/README.md): until it does, nothing may
# be mirrored or redistributed in binary form.
LICENSE="all-rights-reserved"
SLOT="0"
IUSE="static test"
RESTRICT="bindist mirror !test? ( test )"

# Boost (Asio), spdlog and fmt are used header-only: only yaml-cpp is linked, so only it is a
# run-time dependency of the dynamic binary. ::gentoo's yaml-cpp builds no static archive (it
# has no static-libs flag), so USE=static needs a libyaml-cpp.a from elsewhere; src_configure
# checks for it.
RDEPEND="!static? ( dev-cpp/yaml-cpp:= )"
DEPEND="
	dev-libs/boost
	dev-cpp/yaml-cpp
	dev-libs/spdlog
	dev-libs/libfmt
	test? ( dev-cpp/gtest )
"

DOCS=( README.md docs/design.md docs/openrc.md docs/units.md )

src_prepare() {
	# Warnings must not fail a build with the user's CFLAGS and compiler, and portage strips
	# (and splits debug info) itself: drop upstream's -Werror and the static link's -s.
	grep -q -- ' -Werror' CMakeLists.txt || die "CMakeLists.txt: -Werror not found"
	grep -q -- '-static -s ' CMakeLists.txt || die "CMakeLists.txt: '-static -s' not found"
	sed -i -e 's/ -Werror//' -e 's/-static -s /-static /' CMakeLists.txt || die
	cmake_src_prepare
}

src_configure() {
	if use static && ! compgen -G "${ESYSROOT}/usr/lib*/libyaml-cpp.a" >/dev/null; then
		eerror "USE=static links yaml-cpp statically, but there is no libyaml-cpp.a in"
		eerror "${ESYSROOT}/usr/lib*. ::gentoo's dev-cpp/yaml-cpp installs only the shared"
		eerror "library; use a yaml-cpp built with -DYAML_BUILD_SHARED_LIBS=OFF, or USE=-static."
		die "static yaml-cpp (libyaml-cpp.a) not found"
	fi
	local mycmakeargs=(
		-DCTINIT_STATIC=$(usex static)
		-DCTINIT_TESTS=$(usex test)
		-DCTINIT_SANITIZE=OFF
	)
	cmake_src_configure
}

src_test() {
	# Only the unit tests (and the layer check): the integration and e2e tests run ctinit as
	# PID 1 in namespaces and under Docker/LXC, which the sandbox does not allow.
	cmake_src_test -L '^unit$'
}

src_install() {
	# /sbin/ctinit and the man pages; DOCS through einstalldocs.
	cmake_src_install
	# The example configuration (every key at its default), uncompressed so it can be copied
	# to /etc/ctinit/ctinit.yaml as it is.
	docinto examples
	dodoc contrib/ctinit.yaml
	docompress -x "/usr/share/doc/${PF}/examples"
}

pkg_postinst() {
	elog "ctinit is a PID 1 for containers; it does not replace sys-apps/sysvinit or OpenRC on"
	elog "this machine. Your /etc/inittab and OpenRC scripts are used unchanged."
	elog "To boot a container with it:"
	elog "  Docker/Podman: ENTRYPOINT [\"/sbin/ctinit\"] in the Dockerfile (or CMD, or"
	elog "    'docker run IMAGE /sbin/ctinit'); docker stop's SIGTERM halts it cleanly."
	elog "  LXC/Incus:     lxc.init.cmd = /sbin/ctinit (Incus: in raw.lxc)."
	elog "  As a kernel init (a VM): init=/sbin/ctinit on the kernel command line."
	elog "An example configuration (every key at its default) is"
	elog "  ${EROOT}/usr/share/doc/${PF}/examples/ctinit.yaml; copy it to /etc/ctinit/ctinit.yaml."
	elog "See ctinit(8) and ctinit.yaml(5)."
}

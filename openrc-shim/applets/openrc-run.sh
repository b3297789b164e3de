# ctinit's OpenRC shim: the shell half of openrc-run (the role of OpenRC's openrc-run.sh,
# functions.sh, rc-functions.sh, start-stop-daemon.sh and supervise-daemon.sh; written for ctinit).
# It is embedded in the ctinit binary and run by the openrc-run applet as
#     <bash or sh> -c '<this text>' openrc-run <script> <command>
# with RC_SVCNAME, RC_SERVICE, RC_CMD, RC_RUNLEVEL, RC_SYS, RC_SVCDIR, RC_CTINIT (the ctinit
# binary) … in the environment. The applet has already checked the state, taken the lock and
# marked the service starting/stopping; it marks the result from this shell's exit status.
# Order (OpenRC's runtime order): /etc/rc.conf, /etc/rc.conf.d/*.conf, conf.d/<prefix>[.<level>]
# (instances "prefix.inst"), conf.d/<svc>[.<level>], the script, then required_dirs and
# required_files, then <cmd>_pre, <cmd>, <cmd>_post (the first failure ends it).

_svcdir=${RC_SVCDIR:-/run/openrc}
_ctinit=${RC_CTINIT:-/sbin/ctinit}
_eopen=

# --- output (libeinfo style, no colour) -----------------------------------------------------
_ind() {
	_i=${EINFO_INDENT:-0}
	while [ "$_i" -gt 0 ] 2>/dev/null; do printf ' '; _i=$((_i - 1)); done
}
_eclose() { if [ -n "$_eopen" ]; then printf '\n'; _eopen=; fi; }
einfon() { yesno "${EINFO_QUIET}" && return 0; _eclose; printf ' * %s%s' "$(_ind)" "$*"; }
einfo() { yesno "${EINFO_QUIET}" && return 0; _eclose; printf ' * %s%s\n' "$(_ind)" "$*"; }
ewarnn() { _eclose; printf ' * %s%s' "$(_ind)" "$*" >&2; }
ewarn() { _eclose; printf ' * %s%s\n' "$(_ind)" "$*" >&2; }
eerrorn() { _eclose; printf ' * %s%s' "$(_ind)" "$*" >&2; }
eerror() { _eclose; printf ' * %s%s\n' "$(_ind)" "$*" >&2; }
ebegin() {
	yesno "${EINFO_QUIET}" && return 0
	_eclose
	printf ' * %s%s ...' "$(_ind)" "$*"
	_eopen=1
}
_eend() {
	_kind=$1
	_rv=${2:-0}
	shift 2 2>/dev/null || shift $#
	case "$_rv" in *[!0-9]*|'') _rv=1 ;; esac
	if [ "$_rv" -ne 0 ] && [ $# -gt 0 ]; then
		if [ "$_kind" = warn ]; then ewarn "$*"; else eerror "$*"; fi
	fi
	if [ "$_rv" -eq 0 ]; then
		if ! yesno "${EINFO_QUIET}"; then printf ' [ ok ]\n'; fi
	else
		printf ' [ !! ]\n'
	fi
	_eopen=
	return "$_rv"
}
eend() { _eend error "$@"; }
ewend() { _eend warn "$@"; }
veinfo() { yesno "${EINFO_VERBOSE}" && einfo "$@"; return 0; }
veinfon() { yesno "${EINFO_VERBOSE}" && einfon "$@"; return 0; }
vewarn() { yesno "${EINFO_VERBOSE}" && ewarn "$@"; return 0; }
veerror() { yesno "${EINFO_VERBOSE}" && eerror "$@"; return 0; }
vebegin() { yesno "${EINFO_VERBOSE}" && ebegin "$@"; return 0; }
veend() { if yesno "${EINFO_VERBOSE}"; then eend "$@"; else return "${1:-0}"; fi; }
vewend() { if yesno "${EINFO_VERBOSE}"; then ewend "$@"; else return "${1:-0}"; fi; }
eindent() {
	_n=${1:-2}
	case "$_n" in *[!0-9]*|'') _n=2 ;; esac
	EINFO_INDENT=$((${EINFO_INDENT:-0} + _n))
	[ "$EINFO_INDENT" -gt 40 ] && EINFO_INDENT=40
	export EINFO_INDENT
}
eoutdent() {
	_n=${1:-2}
	case "$_n" in *[!0-9]*|'') _n=2 ;; esac
	EINFO_INDENT=$((${EINFO_INDENT:-0} - _n))
	[ "$EINFO_INDENT" -lt 0 ] && EINFO_INDENT=0
	export EINFO_INDENT
}
veindent() { yesno "${EINFO_VERBOSE}" && eindent "$@"; return 0; }
veoutdent() { yesno "${EINFO_VERBOSE}" && eoutdent "$@"; return 0; }
esyslog() {
	_pri=$1
	_tag=$2
	shift 2 2>/dev/null || return 1
	if command -v logger >/dev/null 2>&1; then logger -p "$_pri" -t "$_tag" -- "$*"; fi
	return 0
}

# --- small helpers ----------------------------------------------------------------------------
yesno() {
	[ -z "$1" ] && return 1
	case "$1" in
		[Yy][Ee][Ss]|[Tt][Rr][Uu][Ee]|[Oo][Nn]|1) return 0 ;;
		[Nn][Oo]|[Ff][Aa][Ll][Ss][Ee]|[Oo][Ff][Ff]|0) return 1 ;;
	esac
	case "$1" in
		*[!A-Za-z0-9_]*|[0-9]*) vewarn "\$$1 is not set properly"; return 2 ;;
	esac
	eval _yv=\${$1}
	case "$_yv" in
		[Yy][Ee][Ss]|[Tt][Rr][Uu][Ee]|[Oo][Nn]|1) return 0 ;;
		[Nn][Oo]|[Ff][Aa][Ll][Ss][Ee]|[Oo][Ff][Ff]|0) return 1 ;;
	esac
	vewarn "\$$1 is not set properly"
	return 2
}
shell_var() {
	_out=
	for _a; do
		_v=$(printf '%s' "$_a" | tr -c 'A-Za-z0-9_\n' '_')
		_out="${_out}${_out:+ }${_v}"
	done
	printf '%s\n' "$_out"
}
get_bootparam() {
	[ -n "$1" ] && [ -r /proc/cmdline ] || return 1
	for _w in $(cat /proc/cmdline); do
		[ "$_w" = "$1" ] && return 0
		case "$_w" in
			gentoo=*)
				_opts=${_w#gentoo=}
				_IFS=$IFS; IFS=,
				for _o in $_opts; do
					if [ "$_o" = "$1" ]; then IFS=$_IFS; return 0; fi
				done
				IFS=$_IFS
				;;
		esac
	done
	return 1
}
# get_bootparam_value NAME [all|last [SEP]]: the value of NAME=… on the kernel command line
# (the first one; `last`: the last one; `all`: every one joined by SEP, default a blank).
get_bootparam_value() {
	_bn=$1
	_bw=$2
	_bs=${3:- }
	_br=
	[ -n "$_bn" ] && [ -r /proc/cmdline ] || { echo; return 0; }
	for _w in $(cat /proc/cmdline); do
		case "$_w" in
			"$_bn"=*)
				case "$_bw" in
					all) _br="${_br}${_br:+$_bs}${_w##*=}" ;;
					last) _br=${_w##*=} ;;
					*) _br=${_w##*=}; break ;;
				esac
				;;
		esac
	done
	echo $_br
}
ewaitfile() {
	_t=$1
	shift 2>/dev/null || return 1
	[ $# -gt 0 ] || return 1
	case "$_t" in *[!0-9]*|'') _t=0 ;; esac
	for _f; do
		vebegin "Waiting for $_f"
		_left=$_t
		while [ ! -e "$_f" ]; do
			if [ "$_t" -gt 0 ] && [ "$_left" -le 0 ]; then veend 1; return 1; fi
			sleep 1
			_left=$((_left - 1))
		done
		veend 0
	done
	return 0
}
# is_newer_than A B…: A is newer than B and everything under B.
is_newer_than() {
	[ -e "$1" ] || return 1
	_ref=$1
	shift
	for _p; do
		[ -e "$_p" ] || continue
		if [ -n "$(find "$_p" -newer "$_ref" 2>/dev/null | head -n 1)" ]; then return 1; fi
		[ "$_p" -nt "$_ref" ] && return 1
	done
	return 0
}
# is_older_than A B…: something in B is newer than A.
is_older_than() {
	[ -e "$1" ] || return 1
	_ref=$1
	shift
	for _p; do
		[ -e "$_p" ] || continue
		if [ -n "$(find "$_p" -newer "$_ref" 2>/dev/null | head -n 1)" ]; then return 0; fi
	done
	return 1
}
checkpath() { "$_ctinit" checkpath "$@"; }
mountinfo() { "$_ctinit" mountinfo "$@"; }
fstabinfo() { "$_ctinit" fstabinfo "$@"; }
kill_all() { "$_ctinit" kill_all "$@"; }
rc_runlevel() { "$_ctinit" rc-status --runlevel; }
eval_ecolors() { printf "GOOD=''\nWARN=''\nBAD=''\nHILITE=''\nBRACKET=''\nNORMAL=''\n"; }
RC_GOT_FUNCTIONS=yes
# rc-functions.sh's file system tests: a network file system by its fstab entry (_netdev),
# else by its type.
net_fs_list="afs ceph cifs coda davfs fuse fuse.glusterfs fuse.sshfs gfs glusterfs lustre ncpfs
	nfs nfs4 ocfs2 shfs smbfs"
is_net_fs() {
	[ -n "$1" ] || return 1
	mountinfo --quiet --netdev "$1" && return 0
	mountinfo --quiet --nonetdev "$1" && return 1
	_t=$(mountinfo --fstype "$1")
	for _x in $net_fs_list $extra_net_fs_list; do
		[ "$_x" = "$_t" ] && return 0
	done
	return 1
}
is_union_fs() {
	[ -x /sbin/unionctl ] || return 1
	unionctl "$1" --list >/dev/null 2>&1
}
# on_ac_power: 0 on mains power (or when no power supply reports otherwise, as in a container
# with an empty /sys/class/power_supply), 128 on battery, 255 when there is nothing to ask.
on_ac_power() {
	if [ -d /sys/class/power_supply ]; then
		for _d in /sys/class/power_supply/*/; do
			[ -r "${_d}type" ] || continue
			[ "$(cat "${_d}type")" = Mains ] || continue
			[ "$(cat "${_d}online" 2>/dev/null)" = 0 ] && return 128
		done
		return 0
	fi
	return 255
}
apply_ulimits() {
	if [ $(($# % 2)) -eq 1 ]; then
		eerror "${RC_SVCNAME}: Invalid RC_ULIMIT setting"
		return 1
	fi
	while [ $# -gt 0 ]; do
		ulimit "$1" "$2" || eerror "${RC_SVCNAME}: unable to apply RC_ULIMIT settings"
		shift 2
	done
}

# --- service state (RC_SVCDIR as OpenRC keeps it) ------------------------------------------
service_started() { [ -L "$_svcdir/started/${1:-$RC_SVCNAME}" ]; }
service_starting() { [ -L "$_svcdir/starting/${1:-$RC_SVCNAME}" ]; }
service_stopping() { [ -L "$_svcdir/stopping/${1:-$RC_SVCNAME}" ]; }
service_inactive() { [ -L "$_svcdir/inactive/${1:-$RC_SVCNAME}" ]; }
service_wasinactive() { [ -L "$_svcdir/wasinactive/${1:-$RC_SVCNAME}" ]; }
service_hotplugged() { [ -L "$_svcdir/hotplugged/${1:-$RC_SVCNAME}" ]; }
service_failed() { [ -L "$_svcdir/failed/${1:-$RC_SVCNAME}" ]; }
service_stopped() {
	! service_started "$1" && ! service_starting "$1" && ! service_stopping "$1" &&
		! service_inactive "$1"
}
service_crashed() {
	_s=${1:-$RC_SVCNAME}
	service_started "$_s" || return 1
	for _d in "$_svcdir/daemons/$_s"/*; do
		[ -f "$_d" ] || continue
		_pf=$(sed -n 's/^pidfile=//p' "$_d")
		[ -n "$_pf" ] || continue
		_p=$(cat "$_pf" 2>/dev/null)
		[ -n "$_p" ] || return 0
		kill -0 "$_p" 2>/dev/null || return 0
	done
	return 1
}
mark_service_started() { "$_ctinit" mark_service_started "${1:-$RC_SVCNAME}"; }
mark_service_starting() { "$_ctinit" mark_service_starting "${1:-$RC_SVCNAME}"; }
mark_service_stopping() { "$_ctinit" mark_service_stopping "${1:-$RC_SVCNAME}"; }
mark_service_stopped() { "$_ctinit" mark_service_stopped "${1:-$RC_SVCNAME}"; }
mark_service_inactive() { "$_ctinit" mark_service_inactive "${1:-$RC_SVCNAME}"; }
mark_service_failed() { "$_ctinit" mark_service_failed "${1:-$RC_SVCNAME}"; }
mark_service_hotplugged() { "$_ctinit" mark_service_hotplugged "${1:-$RC_SVCNAME}"; }
mark_service_wasinactive() { "$_ctinit" mark_service_wasinactive "${1:-$RC_SVCNAME}"; }
# service_started_daemon [SVC] EXEC [INDEX]: SVC (default: this one) started EXEC with
# start-stop-daemon (its INDEXth daemon when INDEX is given).
service_started_daemon() {
	_s=$RC_SVCNAME
	_x=$1
	_n=0
	if [ $# -gt 2 ]; then
		_s=$1 _x=$2 _n=$3
	elif [ $# -eq 2 ]; then
		case "$2" in *[!0-9]*) _s=$1 _x=$2 ;; *) _n=$2 ;; esac
	fi
	[ -n "$_x" ] || return 1
	for _d in "$_svcdir/daemons/$_s"/*; do
		[ -f "$_d" ] || continue
		if [ "$_n" -gt 0 ] 2>/dev/null; then
			[ "${_d##*/}" = "$(printf '%03d' "$_n")" ] || continue
		fi
		grep -qx "exec=$_x" "$_d" && return 0
	done
	return 1
}
# The value helpers (service_values.h): kept in $RC_SVCDIR/options/$RC_SVCNAME/.
service_set_value() { "$_ctinit" service_set_value "$@"; }
service_get_value() { "$_ctinit" service_get_value "$@"; }
save_options() { "$_ctinit" save_options "$@"; }
get_options() { "$_ctinit" get_options "$@"; }

# --- dependency words (only `depend` prints them at run time) --------------------------------
need() { [ -n "$*" ] && echo "need $*"; return 0; }
use() { [ -n "$*" ] && echo "use $*"; return 0; }
want() { [ -n "$*" ] && echo "want $*"; return 0; }
after() { [ -n "$*" ] && echo "after $*"; return 0; }
before() { [ -n "$*" ] && echo "before $*"; return 0; }
provide() { [ -n "$*" ] && echo "provide $*"; return 0; }
keyword() {
	_kw=
	for _k in $*; do
		case "$_k" in
			-containers) _k=$(_get_containers) ;;
			!-containers) _k=$(_get_containers_remove) ;;
		esac
		_kw="${_kw}${_k} "
	done
	[ -n "$_kw" ] && echo "keyword $_kw"
	return 0
}
# The keywords that `-containers` stands for (rc-functions.sh).
_get_containers() {
	case "$RC_UNAME" in
		FreeBSD) echo "-jail" ;;
		Linux) echo "-docker -podman -lxc -openvz -rkt -systemd-nspawn -uml -vserver -wsl" ;;
	esac
}
_get_containers_remove() {
	_cr=
	for _x in $(_get_containers); do _cr="${_cr}!${_x} "; done
	echo $_cr
}
config() { [ -n "$*" ] && echo "config $*"; return 0; }
need_if_exists() {
	for _n; do
		if [ -e "${RC_SERVICE%/*}/$_n" ]; then need "$_n"; fi
	done
	return 0
}
depend() { :; }
# `depend` as openrc-run prints it: the script's depend(), then what rc.conf adds for this
# service (rc_<svc>_need=…, rc_need=…, and the upper-case RC_ forms).
_depend() {
	depend
	_dv=$(shell_var "$RC_SVCNAME")
	for _dt in config:CONFIG need:NEED use:USE want:WANT after:AFTER before:BEFORE \
		provide:PROVIDE keyword:KEYWORD; do
		eval "_dd=\${rc_${_dv}_${_dt%%:*}-}"
		[ -z "$_dd" ] && eval "_dd=\${rc_${_dt%%:*}-}"
		[ -z "$_dd" ] && eval "_dd=\${RC_${_dv}_${_dt#*:}-}"
		[ -z "$_dd" ] && eval "_dd=\${RC_${_dt#*:}-}"
		${_dt%%:*} $_dd
	done
}

# --- default start/stop/status ---------------------------------------------------------------
describe() {
	if [ -n "$description" ]; then einfo "$description"; else ewarn "No description for $RC_SVCNAME"; fi
	for _c in ${extra_commands:-$opts} $extra_started_commands $extra_stopped_commands; do
		eval _desc=\$description_$_c
		if [ -n "$_desc" ]; then einfo "$_c: $_desc"; else ewarn "$_c: no description"; fi
	done
}
_status() {
	if service_stopping; then ewarn "status: stopping"; return 4
	elif service_starting; then ewarn "status: starting"; return 8
	elif service_inactive; then ewarn "status: inactive"; return 16
	elif service_started; then
		if service_crashed; then eerror "status: crashed"; return 32; fi
		einfo "status: started"
		return 0
	else
		einfo "status: stopped"
		return 3
	fi
}
_nocommand() {
	ewarn "The command variable is undefined."
	ewarn "There is nothing for ${name:-$RC_SVCNAME} to start."
	ewarn "If this is what you intend, please write a start function."
}
# OpenRC's old name for notify=.
_ready_to_notify() {
	if [ -n "$ready" ]; then
		ewarn "Use 'notify=$ready' instead of 'ready=$ready'"
		notify=$ready
	fi
}
ssd_start() {
	if [ -z "$command" ]; then _nocommand; return 0; fi
	_ready_to_notify
	_bg=
	if yesno "${command_background}"; then
		if [ -z "$pidfile" ]; then
			eerror "command_background option used but no pidfile specified"
			return 1
		fi
		if [ -n "$command_args_background" ]; then
			eerror "command_background used with command_args_background"
			return 1
		fi
		_bg="--background --make-pidfile"
	fi
	# start_inactive: inactive while the daemon starts (its own hooks mark it started later);
	# a failed start leaves it stopped unless it was inactive before.
	_was_inactive=false
	if yesno "$start_inactive"; then
		service_inactive && _was_inactive=true
		mark_service_inactive
	fi
	ebegin "Starting ${name:-$RC_SVCNAME}"
	eval "\"\$_ctinit\"" start-stop-daemon --start \
		--exec $command \
		${chroot:+--chroot} $chroot \
		${directory:+--chdir} $directory \
		${input_file+--stdin} $input_file \
		${output_log:+--stdout} $output_log \
		${error_log:+--stderr} $error_log \
		${output_logger:+--stdout-logger \"$output_logger\"} \
		${error_logger:+--stderr-logger \"$error_logger\"} \
		${capabilities+--capabilities \"\$capabilities\"} \
		${secbits:+--secbits \"\$secbits\"} \
		${no_new_privs:+--no-new-privs} \
		${notify:+--notify \"\$notify\"} \
		${procname:+--name} $procname \
		${pidfile:+--pidfile} $pidfile \
		${command_user:+--user} $command_user \
		${umask:+--umask} $umask \
		$_bg $start_stop_daemon_args \
		-- $command_args $command_args_background
	if eend $? "Failed to start ${name:-$RC_SVCNAME}"; then
		service_set_value "command" "${command}"
		[ -n "${chroot}" ] && service_set_value "chroot" "${chroot}"
		[ -n "${pidfile}" ] && service_set_value "pidfile" "${pidfile}"
		[ -n "${procname}" ] && service_set_value "procname" "${procname}"
		return 0
	fi
	if yesno "$start_inactive" && ! $_was_inactive; then mark_service_stopped; fi
	return 1
}
ssd_stop() {
	_sc=$(service_get_value command)
	_sr=$(service_get_value chroot)
	_sp=$(service_get_value pidfile)
	_sn=$(service_get_value procname)
	command=${_sc:-$command}
	chroot=${_sr:-$chroot}
	pidfile=${_sp:-$pidfile}
	procname=${_sn:-$procname}
	[ -n "$command" ] || [ -n "$procname" ] || [ -n "$pidfile" ] || return 0
	_prog=
	yesno "${command_progress}" && _prog=--progress
	ebegin "Stopping ${name:-$RC_SVCNAME}"
	eval "\"\$_ctinit\"" start-stop-daemon --stop \
		${retry:+--retry} $retry \
		${command:+--exec} $command \
		${procname:+--name} $procname \
		${pidfile:+--pidfile} $chroot$pidfile \
		${stopsig:+--signal} $stopsig $_prog
	eend $? "Failed to stop ${name:-$RC_SVCNAME}"
}
supervise_start() {
	if [ -z "$command" ]; then _nocommand; return 1; fi
	_ready_to_notify
	if [ -n "$stopsig" ]; then
		case "$retry" in
			*/*) ;;
			*) retry="$stopsig/${retry:-5}" ;;
		esac
	fi
	ebegin "Starting ${name:-$RC_SVCNAME}"
	eval "\"\$_ctinit\"" supervise-daemon $RC_SVCNAME --start \
		${retry:+--retry} $retry \
		${chroot:+--chroot} $chroot \
		${directory:+--chdir} $directory \
		${input_file:+--stdin} $input_file \
		${output_log:+--stdout} $output_log \
		${error_log:+--stderr} $error_log \
		${output_logger:+--stdout-logger \"\$output_logger\"} \
		${error_logger:+--stderr-logger \"\$error_logger\"} \
		${pidfile:+--pidfile} $pidfile \
		${respawn_delay:+--respawn-delay} $respawn_delay \
		${respawn_max:+--respawn-max} $respawn_max \
		${respawn_period:+--respawn-period} $respawn_period \
		${healthcheck_delay:+--healthcheck-delay} $healthcheck_delay \
		${healthcheck_timer:+--healthcheck-timer} $healthcheck_timer \
		${capabilities+--capabilities \"\$capabilities\"} \
		${secbits:+--secbits \"\$secbits\"} \
		${no_new_privs:+--no-new-privs} \
		${notify:+--notify \"\$notify\"} \
		${command_user:+--user} $command_user \
		${umask:+--umask} $umask \
		${supervise_daemon_args-$start_stop_daemon_args} \
		$command \
		-- $command_args $command_args_foreground
	if eend $? "Failed to start ${name:-$RC_SVCNAME}"; then
		service_set_value "pidfile" "${pidfile}"
		return 0
	fi
	return 1
}
supervise_stop() {
	ebegin "Stopping ${name:-$RC_SVCNAME}"
	"$_ctinit" supervise-daemon "$RC_SVCNAME" --stop
	eend $? "Failed to stop ${name:-$RC_SVCNAME}"
}
supervise_status() {
	if service_started && ! "$_ctinit" supervise-daemon "$RC_SVCNAME" --status >/dev/null 2>&1; then
		eerror "status: crashed"
		return 32
	fi
	_status
}
# supervise-daemon runs `<script> healthcheck` (healthcheck_delay / healthcheck_timer) and, when
# it fails, `<script> unhealthy` before restarting the daemon; a script overrides these.
healthcheck() { return 0; }
unhealthy() { return 0; }

# supervisor=s6 / supervisor=runit (OpenRC's s6.sh, runit.sh) drive an external s6 or runit
# tree. Under ctinit PID 1 is the supervisor, so the shim has ctinit supervise what that tree
# would run (an approximation): restarted a second after it ends (as runsv and s6-supervise
# do), never given up, stopped with `stopsig` (default TERM).
#   s6: OpenRC 0.63 generates a service directory whose run is
#       `sh -c "exec $command $command_args $command_args_foreground"` with umask, directory,
#       input_file, output_log/error_log, output_logger/error_logger and command_user; the shim
#       runs that command so. Without `command`: the `run` program of `s6_service_path`
#       (older OpenRC's variable; default /var/svc.d/$RC_SVCNAME), started in that directory.
#   runit: the `run` program of `runit_service` (default /etc/sv/$RC_SVCNAME), started in that
#       directory ("Runit service X not found" when it is not a directory).
_tree_supervise() {
	"$_ctinit" supervise-daemon "$RC_SVCNAME" --start --respawn-delay 1 --respawn-max 0 \
		${stopsig:+--retry "$stopsig/5"} "$@"
}
_service_dir_run() {
	if [ ! -d "$1" ]; then
		eerror "$2 service $1 not found"
		return 1
	fi
	if [ ! -x "$1/run" ]; then
		eerror "$2 service $1 has no executable run"
		return 1
	fi
	_tree_supervise --chdir "$1" "$1/run"
}
s6_start() {
	_ready_to_notify
	ebegin "Starting ${name:-$RC_SVCNAME}"
	if [ -z "$command" ]; then
		_service_dir_run "${s6_service_path:-/var/svc.d/$RC_SVCNAME}" S6
		eend $? "Failed to start ${name:-$RC_SVCNAME}"
		return
	fi
	eval _tree_supervise \
		${directory:+--chdir} $directory \
		${input_file:+--stdin} $input_file \
		${output_log:+--stdout} $output_log \
		${error_log:+--stderr} $error_log \
		${output_logger:+--stdout-logger \"\$output_logger\"} \
		${error_logger:+--stderr-logger \"\$error_logger\"} \
		${command_user:+--user} $command_user \
		${umask:+--umask} $umask \
		${notify:+--notify \"\$notify\"} \
		/bin/sh -- -c "'exec $command $command_args $command_args_foreground'"
	eend $? "Failed to start ${name:-$RC_SVCNAME}"
}
runit_start() {
	ebegin "Starting ${name:-$RC_SVCNAME}"
	_service_dir_run "${runit_service:-/etc/sv/$RC_SVCNAME}" Runit
	eend $? "Failed to start ${name:-$RC_SVCNAME}"
}

default_start() {
	case "$supervisor" in
		supervise-daemon) supervise_start ;;
		s6) s6_start ;;
		runit) runit_start ;;
		'') ssd_start ;;
		*) ewarn "Invalid supervisor, \"$supervisor\", using start-stop-daemon"; ssd_start ;;
	esac
}
default_stop() {
	case "$supervisor" in
		supervise-daemon|s6|runit) supervise_stop ;;
		'') ssd_stop ;;
		*) ewarn "Invalid supervisor, \"$supervisor\", using start-stop-daemon"; ssd_stop ;;
	esac
}
default_status() {
	case "$supervisor" in
		supervise-daemon|s6|runit) supervise_status ;;
		*) _status ;;
	esac
}
start() { default_start; }
stop() { default_stop; }
status() { default_status; }

# --- load the configuration and the script ----------------------------------------------------
_sourcex() {
	if [ "$1" = "-e" ]; then
		shift
		[ -e "$1" ] || return 1
	fi
	if ! . "$1"; then
		eerror "$RC_SVCNAME: error loading $1"
		exit 1
	fi
	return 0
}

if [ -z "$1" ] || [ -z "$2" ]; then
	eerror "${RC_SVCNAME:-openrc-run}: not enough arguments"
	exit 1
fi
RC_SERVICE=$1
export RC_SERVICE
shift
SVCNAME=$RC_SVCNAME
export SVCNAME

yesno "$RC_DEBUG" && set -x

_sourcex -e /etc/rc.conf
if [ -d /etc/rc.conf.d ]; then
	for _f in /etc/rc.conf.d/*.conf; do _sourcex -e "$_f"; done
fi
_conf_d=${RC_SERVICE%/*}/../conf.d
_c=${RC_SVCNAME%%.*}
if [ -n "$_c" ] && [ "$_c" != "$RC_SVCNAME" ]; then
	_sourcex -e "$_conf_d/$_c.$RC_RUNLEVEL" || _sourcex -e "$_conf_d/$_c"
fi
_sourcex -e "$_conf_d/$RC_SVCNAME.$RC_RUNLEVEL" || _sourcex -e "$_conf_d/$RC_SVCNAME"
unset _c _f _conf_d

if yesno "${rc_verbose:-$RC_VERBOSE}"; then
	EINFO_VERBOSE=yes
	export EINFO_VERBOSE
fi
case "$1" in
	status|describe) ;;
	*) if [ -n "${rc_ulimit:-$RC_ULIMIT}" ]; then apply_ulimits ${rc_ulimit:-$RC_ULIMIT}; fi ;;
esac

# A busybox shell runs its own applet for a command that is one (start-stop-daemon is), even
# when /lib/rc/bin comes first in PATH; aliases are looked at before that, so the script's calls
# reach the shim's helpers.
if [ -n "$BASH_VERSION" ]; then shopt -s expand_aliases; fi
for _a in start-stop-daemon supervise-daemon checkpath rc-depend rc-abort; do
	alias "$_a=\"\$_ctinit\" $_a" 2>/dev/null
done
unset _a

# As supervise-daemon.sh does before the script is read (a script may replace the list).
extra_commands="healthcheck unhealthy ${extra_commands}"

_sourcex "$RC_SERVICE"

for _d in $(eval "printf '%s\n' $required_dirs"); do
	if [ ! -d "$_d" ]; then
		eerror "$RC_SVCNAME: \`$_d' is not a directory"
		exit 1
	fi
done
for _f in $(eval "printf '%s\n' $required_files"); do
	if [ ! -r "$_f" ]; then
		eerror "$RC_SVCNAME: \`$_f' is not readable"
		exit 1
	fi
done
unset _d _f

if [ -n "$opts" ]; then
	ewarn "Use of the opts variable is deprecated and will be"
	ewarn "removed in the future."
	ewarn "Please use extra_commands, extra_started_commands or extra_stopped_commands."
fi

_run() {
	if [ "$(command -v "$1_pre")" = "$1_pre" ]; then
		"$1"_pre || return $?
	fi
	"$1" || return $?
	if [ "$(command -v "$1_post")" = "$1_post" ]; then
		"$1"_post || return $?
	fi
	return 0
}

while [ -n "$1" ]; do
	if [ "$1" = depend ]; then
		shift
		cd "${RC_SERVICE%/*}" || exit 1
		_depend
		cd / || exit 1
		continue
	fi
	_found=
	# healthcheck and unhealthy are always known (their defaults exist), and so is the old
	# `opts` list, which the prepended extra_commands would hide otherwise.
	for _cmd in describe start stop status healthcheck unhealthy $extra_commands $opts \
		$extra_started_commands $extra_stopped_commands; do
		[ "$_cmd" = "$1" ] && _found=1 && break
	done
	if [ -z "$_found" ]; then
		eerror "$RC_SVCNAME: unknown function \`$1'"
		exit 1
	fi
	if [ "$(command -v "$1")" != "$1" ]; then
		case "$1" in
			start|stop) shift; continue ;;
		esac
		eerror "$RC_SVCNAME: function \`$1' defined but does not exist"
		exit 1
	fi
	for _cmd in $extra_started_commands; do
		if [ "$_cmd" = "$1" ] && ! service_started; then
			eerror "$RC_SVCNAME: cannot \`$1' as it has not been started"
			exit 1
		fi
	done
	for _cmd in $extra_stopped_commands; do
		if [ "$_cmd" = "$1" ] && ! service_stopped; then
			eerror "$RC_SVCNAME: cannot \`$1' as it has not been stopped"
			exit 1
		fi
	done
	_run "$1" || exit $?
	shift
done
exit 0

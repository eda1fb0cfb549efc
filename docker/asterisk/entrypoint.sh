#!/bin/sh
# Render dialplans/ into /etc/asterisk from the environment, then run Asterisk in the
# foreground.  Variables: see dialplans/render (AMI_SECRET and SIP_PASSWORD required).
set -eu

dialplans=${DIALPLANS_DIR:-/opt/callcenter/dialplans}

# only the project's configuration loads
find /etc/asterisk -mindepth 1 -delete
"$dialplans/render" "$dialplans" /etc/asterisk
chmod 600 /etc/asterisk/manager.conf /etc/asterisk/pjsip.conf
mkdir -p /var/run/asterisk /var/spool/asterisk/recordings /var/log/asterisk /var/lib/asterisk

# as root, like the sandbox; -f: foreground, -n: no colours in the log
exec /usr/sbin/asterisk -f -n "$@"

#!/usr/bin/env bash
# Starts a one-node Slurm cluster on localhost (munge, slurmctld, slurmd) for tests; needs root
# and the Debian package slurm-wlm. State and logs go to $SLURM_TEST_DIR (/tmp/zlint-slurm).
set -euo pipefail
host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2/1024) - 1024}' /proc/meminfo)
state=${SLURM_TEST_DIR:-/tmp/zlint-slurm}
mkdir -p "$state"/{spool,ctld,log}
chown -R slurm:slurm "$state"
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=zlint-test
SlurmctldHost=$host
SlurmUser=slurm
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
MpiDefault=none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
[ -s /etc/munge/munge.key ] || /usr/sbin/mungekey --create
chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
mkdir -p /run/munge && chown munge:munge /run/munge
pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld
pgrep -x slurmd >/dev/null || /usr/sbin/slurmd
for _ in $(seq 60); do
  sinfo -h -o %T 2>/dev/null | grep -q -E '^(idle|mixed|allocated)' && exit 0
  sleep 1
done
echo "slurm did not come up" >&2; sinfo >&2 || true; tail -20 "$state"/log/*.log >&2; exit 1

# Shared helpers of the bench scripts (sourced by run.sh and campaign.sh, after they define log and die).

stop_pid() {  # pid [seconds to wait after SIGTERM before SIGKILL, default 10]; sets KILLED=1 when it had to kill
  local pid=$1 secs=${2:-10}
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((secs * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then log "pid $pid did not stop in $secs s; killing it"; kill -KILL "$pid" 2>/dev/null || true; KILLED=1; fi
  wait "$pid" 2>/dev/null || true
}

free_port() {  # a port nobody listens on (checked by connecting; good enough on a quiet loopback)
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  die "no free port found"
}

wait_http() {  # url seconds pid logfile
  local url=$1 secs=$2 pid=$3 logf=$4
  for _ in $(seq 1 $((secs * 5))); do
    curl -fs -m 2 -o /dev/null "$url" && return 0
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$logf" >&2; die "process $pid exited before $url answered (log: $logf)"; }
    sleep 0.2
  done
  tail -n 30 "$logf" >&2
  die "timed out waiting for $url (log: $logf)"
}

ticks_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }  # utime + stime, all threads

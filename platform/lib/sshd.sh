# The "remote facility host": an SSH daemon on loopback, reached with a generated key, so Docker is
# driven over ssh:// exactly as on a hospital's server. Root logs in (key only): the Docker
# socket is root's, as on a typical facility host where the agent's operator uses sudo.
SSHD_DIR="$CMW_STATE/ssh"
SSHD_PID="$SSHD_DIR/sshd.pid"
SSH_INCLUDE_MARK="# clinicmaster-warehouse local platform"

sshd_start() {
  mkdir -p "$SSHD_DIR" /run/sshd
  chmod 700 "$SSHD_DIR"
  [[ -f $SSHD_DIR/host_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/host_ed25519" -C cmw-facility-host
  [[ -f $SSHD_DIR/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/id_ed25519" -C cmw-operator
  write_file "$SSHD_DIR/authorized_keys" < "$SSHD_DIR/id_ed25519.pub"
  printf '%s\n' \
    "ListenAddress 127.0.0.1" \
    "Port $SSH_PORT" \
    "HostKey $SSHD_DIR/host_ed25519" \
    "AuthorizedKeysFile $SSHD_DIR/authorized_keys" \
    "PidFile $SSHD_PID" \
    "PermitRootLogin prohibit-password" \
    "PasswordAuthentication no" \
    "KbdInteractiveAuthentication no" \
    "UsePAM no" \
    "StrictModes no" \
    "MaxSessions 50" \
    "MaxStartups 50:30:100" \
    "SetEnv PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" \
    | write_file "$SSHD_DIR/sshd_config"
  # Client side: plain `ssh` and `docker -H ssh://root@127.0.0.1:PORT` find the key through this.
  printf '%s\n' \
    "Host 127.0.0.1 localhost" \
    "  IdentityFile $SSHD_DIR/id_ed25519" \
    "  UserKnownHostsFile $SSHD_DIR/known_hosts" \
    "  StrictHostKeyChecking accept-new" \
    "  ControlMaster no" \
    | write_file "$SSHD_DIR/config"
  # The same, as ssh arguments, for the Docker provider's sshOpts.
  printf '%s\n' -i "$SSHD_DIR/id_ed25519" -o "UserKnownHostsFile=$SSHD_DIR/known_hosts" -o "StrictHostKeyChecking=accept-new" \
    | write_file "$SSHD_DIR/ssh-opts"
  sshd_link_config
  if pid_alive "$SSHD_PID"; then return 0; fi
  cmw_say "starting sshd on 127.0.0.1:$SSH_PORT"
  /usr/sbin/sshd -f "$SSHD_DIR/sshd_config" -E "$SSHD_DIR/sshd.log"
  wait_for "sshd" 60 ssh -F "$SSHD_DIR/config" -p "$SSH_PORT" -o BatchMode=yes root@127.0.0.1 true
}

sshd_stop() { stop_pid sshd "$SSHD_PID"; }

# One marked Include line at the top of ~/.ssh/config (ssh reads the first match, so it must lead).
sshd_link_config() {
  local cfg="$HOME/.ssh/config" line="Include $SSHD_DIR/config $SSH_INCLUDE_MARK"
  mkdir -p "$HOME/.ssh" && chmod 700 "$HOME/.ssh"
  touch "$cfg"
  grep -qxF "$line" "$cfg" && return 0
  # Other platforms' lines (tests run their own on other ports) stay: ssh tries every key. The
  # lock keeps two platforms starting at once from losing one's line.
  dir_lock "$cfg.cmw-lock"
  { echo "$line"; cat "$cfg"; } | write_file "$cfg"
  dir_unlock "$cfg.cmw-lock"
}

sshd_unlink_config() {
  local cfg="$HOME/.ssh/config"
  [[ -f $cfg ]] || return 0
  dir_lock "$cfg.cmw-lock"
  { grep -vF "Include $SSHD_DIR/config $SSH_INCLUDE_MARK" "$cfg" || true; } | write_file "$cfg"
  dir_unlock "$cfg.cmw-lock"
}

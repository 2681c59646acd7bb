package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
)

const sshOptsEnv = "PULUMI_DOCKER_SSH_OPTS"

// runSSHWrapper runs the real ssh with the provider's sshOpts before the docker CLI's arguments.
func runSSHWrapper(args []string) int {
	var opts []string
	if raw := os.Getenv(sshOptsEnv); raw != "" {
		if err := json.Unmarshal([]byte(raw), &opts); err != nil {
			fmt.Fprintln(os.Stderr, "docker provider: bad sshOpts:", err)
			return 255
		}
	}
	real, err := realSSH()
	if err != nil {
		fmt.Fprintln(os.Stderr, "docker provider:", err)
		return 255
	}
	argv := append([]string{"ssh"}, opts...)
	argv = append(argv, args...)
	if err := syscall.Exec(real, argv, os.Environ()); err != nil {
		fmt.Fprintln(os.Stderr, "docker provider: exec ssh:", err)
	}
	return 255
}

// realSSH finds ssh on PATH, skipping our own wrapper.
func realSSH() (string, error) {
	self, _ := os.Executable()
	self, _ = filepath.EvalSymlinks(self)
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		candidate := filepath.Join(dir, "ssh")
		resolved, err := filepath.EvalSymlinks(candidate)
		if err != nil || resolved == self {
			continue
		}
		if _, err := exec.LookPath(candidate); err == nil {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("no ssh client on PATH")
}

var (
	wrapperOnce sync.Once
	wrapperDir  string
	wrapperErr  error
	wrapperSeq  atomic.Int64
)

// sshWrapperDir holds a symlink named "ssh" to this binary, found first on PATH by the docker CLI.
// It lives in the user's own cache folder (a predictable /tmp name could be made by anyone first,
// and whoever owns it decides what runs as "ssh"). Made once per process.
func sshWrapperDir() (string, error) {
	wrapperOnce.Do(func() { wrapperDir, wrapperErr = makeSSHWrapperDir() })
	return wrapperDir, wrapperErr
}

func makeSSHWrapperDir() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	dir, err := privateCacheDir()
	if err != nil {
		return "", err
	}
	link := filepath.Join(dir, "ssh")
	if target, err := os.Readlink(link); err != nil || target != self {
		// Made aside and renamed over: providers running side by side (one per host) never see
		// the link missing, nor fail on one another's.
		tmp := fmt.Sprintf("%s.%d.%d", link, os.Getpid(), wrapperSeq.Add(1))
		_ = os.Remove(tmp)
		if err := os.Symlink(self, tmp); err != nil {
			return "", err
		}
		if err := os.Rename(tmp, link); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// privateCacheDir is the provider's own folder in the user's cache, checked private.
func privateCacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("docker provider: no per-user cache folder (set HOME or XDG_CACHE_HOME): %w", err)
	}
	dir := filepath.Join(base, "pulumi-docker-provider")
	return dir, privateDir(dir)
}

// privateDir makes dir (mode 700) when missing, and refuses one that is not a directory of this
// user with no access for others.
func privateDir(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return err
	}
	info, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !info.IsDir() || !ok || int(st.Uid) != os.Getuid() || info.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("docker provider: %s must be a directory owned by uid %d with mode 700 (it holds the ssh wrapper): fix or remove it", dir, os.Getuid())
	}
	return nil
}

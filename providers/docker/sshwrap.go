package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// realSSH finds ssh on PATH, skipping our own wrapper directory.
func realSSH() (string, error) {
	self, _ := os.Executable()
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		candidate := filepath.Join(dir, "ssh")
		resolved, err := filepath.EvalSymlinks(candidate)
		if err != nil || resolved == self || strings.HasPrefix(filepath.Base(dir), "pulumi-docker-ssh-") {
			continue
		}
		if _, err := exec.LookPath(candidate); err == nil {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("no ssh client on PATH")
}

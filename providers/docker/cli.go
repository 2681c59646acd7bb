package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi-go-provider/infer"
)

// Config is the provider configuration (official names).
type Config struct {
	Host    *string  `pulumi:"host,optional"`
	SSHOpts []string `pulumi:"sshOpts,optional"`
}

func (c *Config) Annotate(a infer.Annotator) {
	a.Describe(&c.Host, "The Docker daemon address: unix:///path or ssh://user@host[:port].")
	a.Describe(&c.SSHOpts, "Additional ssh arguments for ssh:// hosts.")
}

// docker runs the docker CLI against the configured host. stdin may be nil.
func docker(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	cfg := infer.GetConfig[Config](ctx)
	full := []string{}
	env := os.Environ()
	if cfg.Host != nil && *cfg.Host != "" {
		full = append(full, "-H", *cfg.Host)
		if strings.HasPrefix(*cfg.Host, "ssh://") && len(cfg.SSHOpts) > 0 {
			dir, err := sshWrapperDir()
			if err != nil {
				return nil, err
			}
			opts, _ := json.Marshal(cfg.SSHOpts)
			env = append(env, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"), sshOptsEnv+"="+string(opts))
		}
	}
	full = append(full, args...)
	cmd := exec.CommandContext(ctx, "docker", full...)
	cmd.Env = env
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("docker %s: %v: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// notFound tells a "no such object" answer from a real failure.
func notFound(err error) bool {
	if err == nil {
		return false
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "no such") || strings.Contains(msg, "not found")
}

// inspect decodes `docker <kind> inspect` of one object; found=false when it does not exist.
func inspect(ctx context.Context, kind, id string, into any) (bool, error) {
	out, err := docker(ctx, nil, kind, "inspect", id)
	if notFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var list []json.RawMessage
	if err := json.Unmarshal(out, &list); err != nil || len(list) == 0 {
		return false, fmt.Errorf("docker %s inspect %s: unexpected output", kind, id)
	}
	return true, json.Unmarshal(list[0], into)
}

// sshWrapperDir holds a symlink named "ssh" to this binary, found first on PATH by the docker CLI.
func sshWrapperDir() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("pulumi-docker-ssh-%d", os.Getuid()))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	link := filepath.Join(dir, "ssh")
	if target, err := os.Readlink(link); err != nil || target != self {
		_ = os.Remove(link)
		if err := os.Symlink(self, link); err != nil {
			return "", err
		}
	}
	return dir, nil
}

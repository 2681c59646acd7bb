package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
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

// cliError is a docker CLI run that ended with an error: its stderr says why.
type cliError struct {
	command string
	err     error
	stderr  string
}

func (e *cliError) Error() string {
	return fmt.Sprintf("docker %s: %v: %s", e.command, e.err, e.stderr)
}

// dockerRun is one docker CLI invocation: arguments, stdin, and environment variables the CLI
// reads (values that must not be on its command line).
type dockerRun struct {
	args  []string
	stdin []byte
	env   []string
}

// docker runs the docker CLI against the configured host. stdin may be nil.
func docker(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	return dockerWith(ctx, dockerRun{args: args, stdin: stdin})
}

func dockerWith(ctx context.Context, run dockerRun) ([]byte, error) {
	return runDocker(ctx, infer.GetConfig[Config](ctx), run)
}

// runDocker runs the docker CLI found on PATH with the given provider configuration.
func runDocker(ctx context.Context, cfg Config, run dockerRun) ([]byte, error) {
	full := []string{}
	env := append(os.Environ(), run.env...)
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
	full = append(full, run.args...)
	cmd := exec.CommandContext(ctx, "docker", full...)
	cmd.Env = env
	if run.stdin != nil {
		cmd.Stdin = bytes.NewReader(run.stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, fmt.Errorf("the docker CLI is not on PATH of the Pulumi engine: install it (docker.io) to use the docker provider")
		}
		return stdout.Bytes(), &cliError{command: run.args[0], err: err, stderr: strings.TrimSpace(stderr.String())}
	}
	return stdout.Bytes(), nil
}

// daemonNotFound matches the daemon's own answers for a missing object, and nothing else: an SSH
// failure, an unreachable host or a missing binary is an error, never "gone".
var daemonNotFound = regexp.MustCompile(`(?mi)^Error response from daemon: (.*\bno such (container|image|volume)\b|network .* not found$)`)

// notFound tells the daemon's "no such object" answer from every other failure.
func notFound(err error) bool {
	var cli *cliError
	return errors.As(err, &cli) && daemonNotFound.MatchString(cli.stderr)
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

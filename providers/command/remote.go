package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/clinicmaster-warehouse/providers/pluginkit"
	"github.com/pulumi/pulumi-go-provider/infer"
	"golang.org/x/crypto/ssh"
)

// RemoteCommand is command:remote:Command.
type RemoteCommand struct{}

type Connection struct {
	Host       string  `pulumi:"host"`
	Port       *int    `pulumi:"port,optional"`
	User       *string `pulumi:"user,optional"`
	PrivateKey *string `pulumi:"privateKey,optional" provider:"secret"`
	Password   *string `pulumi:"password,optional" provider:"secret"`
	// The SDK fills these two with defaults (10 tries, 15 s each).
	DialErrorLimit *int `pulumi:"dialErrorLimit,optional"`
	PerDialTimeout *int `pulumi:"perDialTimeout,optional"`
}

type RemoteCommandArgs struct {
	Connection  Connection        `pulumi:"connection" provider:"secret"`
	Create      *string           `pulumi:"create,optional"`
	Update      *string           `pulumi:"update,optional"`
	Delete      *string           `pulumi:"delete,optional"`
	Environment map[string]string `pulumi:"environment,optional"`
	Triggers    []any             `pulumi:"triggers,optional" provider:"replaceOnChanges"`
	Stdin       *string           `pulumi:"stdin,optional"`
}

type RemoteCommandState struct {
	RemoteCommandArgs
	Stdout string `pulumi:"stdout"`
	Stderr string `pulumi:"stderr"`
}

func (c *RemoteCommand) Annotate(a infer.Annotator) { a.SetToken("remote", "Command") }

func (*RemoteCommand) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[RemoteCommandArgs], error) {
	resp, err := pluginkit.CheckSupported[RemoteCommandArgs](ctx, "command", "remote:Command", req.NewInputs)
	if err == nil && len(resp.Failures) == 0 {
		if conn, ok := req.NewInputs.GetOk("connection"); ok && conn.IsMap() {
			allowed := pluginkit.PulumiFieldNames(pluginkit.TypeOf[Connection]())
			for k := range conn.AsMap().All {
				if !allowed[k] {
					resp.Failures = append(resp.Failures, pluginkit.Failure("connection."+k,
						fmt.Sprintf("property connection.%s of command:remote:Command is not supported by this build of the command provider", k)))
				}
			}
		}
	}
	return resp, err
}

func (*RemoteCommand) Diff(ctx context.Context, req infer.DiffRequest[RemoteCommandArgs, RemoteCommandState]) (infer.DiffResponse, error) {
	return commandDiff(pluginkit.ToMap(req.State.RemoteCommandArgs), pluginkit.ToMap(req.Inputs), req.Inputs.Update != nil), nil
}

func runRemote(ctx context.Context, script string, a RemoteCommandArgs, extraEnv map[string]string) (string, string, error) {
	c := a.Connection
	cfg := &ssh.ClientConfig{
		User: pluginkit.StrOr(c.User, "root"),
		// Same as the official provider: the host key is not pinned.
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), //nolint:gosec
		Timeout:         time.Duration(pluginkit.IntOr(c.PerDialTimeout, 15)) * time.Second,
	}
	if c.PrivateKey != nil {
		signer, err := ssh.ParsePrivateKey([]byte(*c.PrivateKey))
		if err != nil {
			return "", "", fmt.Errorf("connection.privateKey: %w", err)
		}
		cfg.Auth = append(cfg.Auth, ssh.PublicKeys(signer))
	}
	if c.Password != nil {
		cfg.Auth = append(cfg.Auth, ssh.Password(*c.Password))
	}
	port := 22
	if c.Port != nil {
		port = *c.Port
	}
	var client *ssh.Client
	var err error
	for try := 1; ; try++ {
		client, err = ssh.Dial("tcp", net.JoinHostPort(c.Host, strconv.Itoa(port)), cfg)
		if err == nil {
			break
		}
		if limit := pluginkit.IntOr(c.DialErrorLimit, 10); limit >= 0 && try >= limit {
			return "", "", fmt.Errorf("ssh %s:%d (after %d tries): %w", c.Host, port, try, err)
		}
		time.Sleep(time.Duration(min(try, 5)) * time.Second)
	}
	defer client.Close()
	session, err := client.NewSession()
	if err != nil {
		return "", "", err
	}
	defer session.Close()
	command, stdin, err := sessionInput(session, script, sortedEnv(a.Environment, extraEnv), a.Stdin)
	if err != nil {
		return "", "", fmt.Errorf("ssh %s:%d: %w", c.Host, port, err)
	}
	if stdin != nil {
		session.Stdin = strings.NewReader(*stdin)
	}
	var stdout, stderr bytes.Buffer
	session.Stdout, session.Stderr = &stdout, &stderr
	err = session.Run(command)
	out, errOut := strings.TrimSuffix(stdout.String(), "\n"), strings.TrimSuffix(stderr.String(), "\n")
	if err != nil {
		return out, errOut, fmt.Errorf("remote command failed: %v\nstderr: %s", err, tail(errOut))
	}
	return out, errOut, nil
}

// envSetter is the part of an SSH session that takes environment variables (env requests).
type envSetter interface {
	Setenv(name, value string) error
}

// stdinLoader is the whole command line when the environment cannot go as env requests: the
// login shell reads the assignments and the script from stdin and runs them.
const stdinLoader = `eval "$(cat)"`

// sessionInput decides how the environment reaches the remote command, never on its command line
// (the remote host's process list and logs show command lines). First as env requests of the
// session, as the official provider does; a server that refuses them (sshd without AcceptEnv) gets
// the exported assignments and the script on stdin instead. A command with stdin of its own then
// fails, naming the fix.
func sessionInput(s envSetter, script string, env [][2]string, stdin *string) (command string, input *string, err error) {
	refused := ""
	for _, kv := range env {
		if err := s.Setenv(kv[0], kv[1]); err != nil {
			refused = kv[0]
			break
		}
	}
	if refused == "" {
		return script, stdin, nil
	}
	if stdin != nil {
		return "", nil, fmt.Errorf("the SSH server refuses environment variable %s and the command has stdin of its own: "+
			"allow it with AcceptEnv in the server's sshd_config", refused)
	}
	var payload strings.Builder
	for _, kv := range env {
		payload.WriteString("export " + kv[0] + "=" + shellQuote(kv[1]) + "\n")
	}
	payload.WriteString(script)
	text := payload.String()
	return stdinLoader, &text, nil
}

// sortedEnv merges environments (later ones win) into name order.
func sortedEnv(envs ...map[string]string) [][2]string {
	merged := map[string]string{}
	for _, env := range envs {
		for k, v := range env {
			merged[k] = v
		}
	}
	keys := make([]string, 0, len(merged))
	for k := range merged {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][2]string, len(keys))
	for i, k := range keys {
		out[i] = [2]string{k, merged[k]}
	}
	return out
}

// shellQuote makes a POSIX single-quoted word: the value can hold any character.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (a RemoteCommandArgs) scripts() scripts { return scripts{a.Create, a.Update, a.Delete} }

func (a RemoteCommandArgs) run(ctx context.Context, script string, env map[string]string) (string, string, error) {
	return runRemote(ctx, script, a, env)
}

func (*RemoteCommand) Create(ctx context.Context, req infer.CreateRequest[RemoteCommandArgs]) (infer.CreateResponse[RemoteCommandState], error) {
	out, err := createCommand(ctx, req.DryRun, req.Inputs)
	return infer.CreateResponse[RemoteCommandState]{ID: req.Name, Output: RemoteCommandState{req.Inputs, out.stdout, out.stderr}}, err
}

func (*RemoteCommand) Update(ctx context.Context, req infer.UpdateRequest[RemoteCommandArgs, RemoteCommandState]) (infer.UpdateResponse[RemoteCommandState], error) {
	out, err := updateCommand(ctx, req.DryRun, req.Inputs, output{req.State.Stdout, req.State.Stderr})
	return infer.UpdateResponse[RemoteCommandState]{Output: RemoteCommandState{req.Inputs, out.stdout, out.stderr}}, err
}

func (*RemoteCommand) Delete(ctx context.Context, req infer.DeleteRequest[RemoteCommandState]) (infer.DeleteResponse, error) {
	return infer.DeleteResponse{}, deleteCommand(ctx, req.State.RemoteCommandArgs, output{req.State.Stdout, req.State.Stderr})
}

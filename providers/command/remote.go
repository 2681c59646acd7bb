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
	// Environment as exported assignments ahead of the script: sshd's AcceptEnv is rarely open.
	var prefix strings.Builder
	for _, env := range []map[string]string{a.Environment, extraEnv} {
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			prefix.WriteString("export " + k + "=" + shellQuote(env[k]) + "\n")
		}
	}
	if a.Stdin != nil {
		session.Stdin = strings.NewReader(*a.Stdin)
	}
	var stdout, stderr bytes.Buffer
	session.Stdout, session.Stderr = &stdout, &stderr
	err = session.Run(prefix.String() + script)
	out, errOut := strings.TrimSuffix(stdout.String(), "\n"), strings.TrimSuffix(stderr.String(), "\n")
	if err != nil {
		return out, errOut, fmt.Errorf("remote command failed: %v\nstderr: %s", err, tail(errOut))
	}
	return out, errOut, nil
}

// shellQuote makes a POSIX single-quoted word: the value can hold any character.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (*RemoteCommand) Create(ctx context.Context, req infer.CreateRequest[RemoteCommandArgs]) (infer.CreateResponse[RemoteCommandState], error) {
	st := RemoteCommandState{RemoteCommandArgs: req.Inputs}
	var err error
	st.Stdout, st.Stderr, err = runCreate(req.DryRun, req.Inputs.Create, remoteRunner(ctx, req.Inputs))
	return infer.CreateResponse[RemoteCommandState]{ID: req.Name, Output: st}, err
}

func (*RemoteCommand) Update(ctx context.Context, req infer.UpdateRequest[RemoteCommandArgs, RemoteCommandState]) (infer.UpdateResponse[RemoteCommandState], error) {
	st := RemoteCommandState{RemoteCommandArgs: req.Inputs}
	var err error
	st.Stdout, st.Stderr, err = runUpdate(req.DryRun, req.Inputs.Update, req.State.Stdout, req.State.Stderr, remoteRunner(ctx, req.Inputs))
	return infer.UpdateResponse[RemoteCommandState]{Output: st}, err
}

func (*RemoteCommand) Delete(ctx context.Context, req infer.DeleteRequest[RemoteCommandState]) (infer.DeleteResponse, error) {
	err := runDelete(req.State.Delete, req.State.Stdout, req.State.Stderr, remoteRunner(ctx, req.State.RemoteCommandArgs))
	return infer.DeleteResponse{}, err
}

func remoteRunner(ctx context.Context, a RemoteCommandArgs) runner {
	return func(script string, env map[string]string) (string, string, error) {
		return runRemote(ctx, script, a, env)
	}
}

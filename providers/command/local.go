package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/clinicmaster-warehouse/providers/pluginkit"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// LocalCommand is command:local:Command.
type LocalCommand struct{}

type LocalCommandArgs struct {
	Create      *string           `pulumi:"create,optional"`
	Update      *string           `pulumi:"update,optional"`
	Delete      *string           `pulumi:"delete,optional"`
	Environment map[string]string `pulumi:"environment,optional"`
	Dir         *string           `pulumi:"dir,optional"`
	Interpreter []string          `pulumi:"interpreter,optional"`
	Triggers    []any             `pulumi:"triggers,optional" provider:"replaceOnChanges"`
	Stdin       *string           `pulumi:"stdin,optional"`
}

type LocalCommandState struct {
	LocalCommandArgs
	Stdout string `pulumi:"stdout"`
	Stderr string `pulumi:"stderr"`
}

func (c *LocalCommand) Annotate(a infer.Annotator) { a.SetToken("local", "Command") }

func (*LocalCommand) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[LocalCommandArgs], error) {
	return pluginkit.CheckSupported[LocalCommandArgs](ctx, "command", "local:Command", req.NewInputs)
}

// Diff as the official provider: triggers replace; a change of anything else runs `update` when
// one is given, and replaces otherwise.
func (*LocalCommand) Diff(ctx context.Context, req infer.DiffRequest[LocalCommandArgs, LocalCommandState]) (infer.DiffResponse, error) {
	return commandDiff(pluginkit.ToMap(req.State.LocalCommandArgs), pluginkit.ToMap(req.Inputs), req.Inputs.Update != nil), nil
}

func commandDiff(olds, news map[string]any, hasUpdate bool) infer.DiffResponse {
	inPlace := map[string]bool{}
	if hasUpdate {
		for k := range pluginkit.Union(olds, news) {
			inPlace[k] = k != "triggers"
		}
	}
	// Changing only the delete command never needs the resource re-run.
	inPlace["delete"] = true
	return pluginkit.ReplaceDiff(olds, news, inPlace)
}

func runLocal(ctx context.Context, script string, a LocalCommandArgs, extraEnv map[string]string) (string, string, error) {
	interp := a.Interpreter
	if len(interp) == 0 {
		interp = []string{"/bin/sh", "-c"}
	}
	cmd := exec.CommandContext(ctx, interp[0], append(append([]string{}, interp[1:]...), script)...)
	if a.Dir != nil {
		cmd.Dir = *a.Dir
	}
	cmd.Env = os.Environ()
	for _, kv := range sortedEnv(a.Environment, extraEnv) {
		cmd.Env = append(cmd.Env, kv[0]+"="+kv[1])
	}
	if a.Stdin != nil {
		cmd.Stdin = strings.NewReader(*a.Stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	out, errOut := strings.TrimSuffix(stdout.String(), "\n"), strings.TrimSuffix(stderr.String(), "\n")
	if err != nil {
		return out, errOut, fmt.Errorf("command failed: %v\nstderr: %s", err, tail(errOut))
	}
	return out, errOut, nil
}

func tail(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}

func (a LocalCommandArgs) scripts() scripts { return scripts{a.Create, a.Update, a.Delete} }

func (a LocalCommandArgs) run(ctx context.Context, script string, env map[string]string) (string, string, error) {
	return runLocal(ctx, script, a, env)
}

func (*LocalCommand) Create(ctx context.Context, req infer.CreateRequest[LocalCommandArgs]) (infer.CreateResponse[LocalCommandState], error) {
	out, err := createCommand(ctx, req.DryRun, req.Inputs)
	return infer.CreateResponse[LocalCommandState]{ID: req.Name, Output: LocalCommandState{req.Inputs, out.stdout, out.stderr}}, err
}

func (*LocalCommand) Update(ctx context.Context, req infer.UpdateRequest[LocalCommandArgs, LocalCommandState]) (infer.UpdateResponse[LocalCommandState], error) {
	out, err := updateCommand(ctx, req.DryRun, req.Inputs, output{req.State.Stdout, req.State.Stderr})
	return infer.UpdateResponse[LocalCommandState]{Output: LocalCommandState{req.Inputs, out.stdout, out.stderr}}, err
}

func (*LocalCommand) Delete(ctx context.Context, req infer.DeleteRequest[LocalCommandState]) (infer.DeleteResponse, error) {
	return infer.DeleteResponse{}, deleteCommand(ctx, req.State.LocalCommandArgs, output{req.State.Stdout, req.State.Stderr})
}

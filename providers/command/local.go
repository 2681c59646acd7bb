package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sort"
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
	for _, env := range []map[string]string{a.Environment, extraEnv} {
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			cmd.Env = append(cmd.Env, k+"="+env[k])
		}
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

func (*LocalCommand) Create(ctx context.Context, req infer.CreateRequest[LocalCommandArgs]) (infer.CreateResponse[LocalCommandState], error) {
	st := LocalCommandState{LocalCommandArgs: req.Inputs}
	var err error
	st.Stdout, st.Stderr, err = runCreate(req.DryRun, req.Inputs.Create, localRunner(ctx, req.Inputs))
	return infer.CreateResponse[LocalCommandState]{ID: req.Name, Output: st}, err
}

func (*LocalCommand) Update(ctx context.Context, req infer.UpdateRequest[LocalCommandArgs, LocalCommandState]) (infer.UpdateResponse[LocalCommandState], error) {
	st := LocalCommandState{LocalCommandArgs: req.Inputs}
	var err error
	st.Stdout, st.Stderr, err = runUpdate(req.DryRun, req.Inputs.Update, req.State.Stdout, req.State.Stderr, localRunner(ctx, req.Inputs))
	return infer.UpdateResponse[LocalCommandState]{Output: st}, err
}

func (*LocalCommand) Delete(ctx context.Context, req infer.DeleteRequest[LocalCommandState]) (infer.DeleteResponse, error) {
	err := runDelete(req.State.Delete, req.State.Stdout, req.State.Stderr, localRunner(ctx, req.State.LocalCommandArgs))
	return infer.DeleteResponse{}, err
}

func localRunner(ctx context.Context, a LocalCommandArgs) runner {
	return func(script string, env map[string]string) (string, string, error) {
		return runLocal(ctx, script, a, env)
	}
}

// runner runs one script with extra environment variables; local and remote commands share
// the lifecycle below.
type runner func(script string, extraEnv map[string]string) (stdout, stderr string, err error)

func runCreate(dryRun bool, script *string, run runner) (string, string, error) {
	if dryRun || script == nil {
		return "", "", nil
	}
	return run(*script, nil)
}

// runUpdate keeps the previous output when there is no update command (or in a preview).
func runUpdate(dryRun bool, script *string, prevOut, prevErr string, run runner) (string, string, error) {
	if dryRun || script == nil {
		return prevOut, prevErr, nil
	}
	return run(*script, previousOutput(prevOut, prevErr))
}

func runDelete(script *string, prevOut, prevErr string, run runner) error {
	if script == nil {
		return nil
	}
	_, _, err := run(*script, previousOutput(prevOut, prevErr))
	return err
}

// The official provider hands the last run's output to update and delete commands.
func previousOutput(stdout, stderr string) map[string]string {
	return map[string]string{"PULUMI_COMMAND_STDOUT": stdout, "PULUMI_COMMAND_STDERR": stderr}
}

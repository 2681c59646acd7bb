package main

import "context"

// scripts are the three commands both resources take.
type scripts struct{ create, update, delete *string }

// commandInputs is what local and remote commands differ in: where a script runs.
type commandInputs interface {
	scripts() scripts
	// run runs one script with extra environment variables.
	run(ctx context.Context, script string, extraEnv map[string]string) (stdout, stderr string, err error)
}

// output is the last run's output, kept in the state.
type output struct{ stdout, stderr string }

// The lifecycle both resources share, as the official provider: create runs `create`; an update
// runs `update` with the previous output in its environment (and keeps the output when there is
// none); delete runs `delete` with the last output. Nothing runs in a preview.

func createCommand(ctx context.Context, dryRun bool, a commandInputs) (output, error) {
	s := a.scripts().create
	if dryRun || s == nil {
		return output{}, nil
	}
	out, errOut, err := a.run(ctx, *s, nil)
	return output{out, errOut}, err
}

func updateCommand(ctx context.Context, dryRun bool, a commandInputs, prev output) (output, error) {
	s := a.scripts().update
	if dryRun || s == nil {
		return prev, nil
	}
	out, errOut, err := a.run(ctx, *s, previousOutput(prev))
	return output{out, errOut}, err
}

func deleteCommand(ctx context.Context, a commandInputs, prev output) error {
	s := a.scripts().delete
	if s == nil {
		return nil
	}
	_, _, err := a.run(ctx, *s, previousOutput(prev))
	return err
}

// previousOutput: the official provider hands the last run's output to update and delete.
func previousOutput(prev output) map[string]string {
	return map[string]string{"PULUMI_COMMAND_STDOUT": prev.stdout, "PULUMI_COMMAND_STDERR": prev.stderr}
}

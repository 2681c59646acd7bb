package main

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// fakeSession takes env requests for the names in accept and refuses the rest.
type fakeSession struct {
	accept map[string]bool
	got    [][2]string
}

func (f *fakeSession) Setenv(name, value string) error {
	if !f.accept[name] {
		return errors.New("ssh: setenv failed")
	}
	f.got = append(f.got, [2]string{name, value})
	return nil
}

func TestSessionInputUsesEnvRequests(t *testing.T) {
	s := &fakeSession{accept: map[string]bool{"A": true, "TOKEN": true}}
	env := sortedEnv(map[string]string{"TOKEN": "s3cret", "A": "1"})
	command, stdin, err := sessionInput(s, "echo hi", env, nil)
	if err != nil || command != "echo hi" || stdin != nil {
		t.Fatalf("%q %v %v", command, stdin, err)
	}
	if !reflect.DeepEqual(s.got, [][2]string{{"A", "1"}, {"TOKEN", "s3cret"}}) {
		t.Errorf("%v", s.got)
	}
}

func TestSessionInputFallsBackToStdinNeverTheCommandLine(t *testing.T) {
	s := &fakeSession{}
	env := sortedEnv(map[string]string{"TOKEN": "s3cret'x", "GREETING": `it's "quoted" & fine`})
	command, stdin, err := sessionInput(s, "printf '%s' \"$GREETING\"", env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if command != stdinLoader || strings.Contains(command, "s3cret") {
		t.Errorf("the command line must be the fixed loader: %q", command)
	}
	want := "export GREETING='it'\\''s \"quoted\" & fine'\nexport TOKEN='s3cret'\\''x'\nprintf '%s' \"$GREETING\""
	if stdin == nil || *stdin != want {
		t.Errorf("stdin: %v", stdin)
	}
	own := "input"
	if _, _, err := sessionInput(&fakeSession{}, "cat", env, &own); err == nil || !strings.Contains(err.Error(), "AcceptEnv") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("stdin of its own and a refused env must fail naming AcceptEnv, without the value: %v", err)
	}
	if command, stdin, err := sessionInput(&fakeSession{}, "cat", nil, &own); err != nil || command != "cat" || *stdin != "input" {
		t.Errorf("no environment: the command's own stdin: %q %v %v", command, *stdin, err)
	}
}

func TestSortedEnvLaterWins(t *testing.T) {
	got := sortedEnv(map[string]string{"B": "1", "A": "x"}, map[string]string{"B": "2"})
	if !reflect.DeepEqual(got, [][2]string{{"A", "x"}, {"B", "2"}}) {
		t.Errorf("%v", got)
	}
}

// fakeCommand records what the shared lifecycle runs.
type fakeCommand struct {
	s    scripts
	runs []string
	envs []map[string]string
}

func (f *fakeCommand) scripts() scripts { return f.s }
func (f *fakeCommand) run(_ context.Context, script string, env map[string]string) (string, string, error) {
	f.runs = append(f.runs, script)
	f.envs = append(f.envs, env)
	return "out:" + script, "err:" + script, nil
}

func TestSharedLifecycle(t *testing.T) {
	c, u, d := "c", "u", "d"
	f := &fakeCommand{s: scripts{&c, &u, &d}}
	ctx := context.Background()
	if out, _ := createCommand(ctx, true, f); out != (output{}) || len(f.runs) != 0 {
		t.Errorf("a preview runs nothing")
	}
	out, err := createCommand(ctx, false, f)
	if err != nil || out != (output{"out:c", "err:c"}) {
		t.Errorf("%+v %v", out, err)
	}
	out, _ = updateCommand(ctx, false, f, out)
	if out.stdout != "out:u" || f.envs[1]["PULUMI_COMMAND_STDOUT"] != "out:c" {
		t.Errorf("update sees the previous output: %+v %v", out, f.envs)
	}
	if err := deleteCommand(ctx, f, out); err != nil || f.envs[2]["PULUMI_COMMAND_STDOUT"] != "out:u" {
		t.Errorf("delete sees the last output: %v", f.envs)
	}
	noUpdate := &fakeCommand{s: scripts{create: &c}}
	prev := output{"kept", "kept-err"}
	if out, _ := updateCommand(ctx, false, noUpdate, prev); out != prev || len(noUpdate.runs) != 0 {
		t.Errorf("without an update command the output is kept: %+v", out)
	}
	if err := deleteCommand(ctx, noUpdate, prev); err != nil || len(noUpdate.runs) != 0 {
		t.Errorf("without a delete command nothing runs")
	}
}

func TestCommandDiff(t *testing.T) {
	olds := map[string]any{"create": "a", "update": "u", "triggers": []any{"1"}}
	news := map[string]any{"create": "b", "update": "u", "triggers": []any{"2"}}
	d := commandDiff(olds, news, true)
	if d.DetailedDiff["create"].Kind != "update" || d.DetailedDiff["triggers"].Kind != "update&replace" {
		t.Errorf("%+v", d.DetailedDiff)
	}
	if d := commandDiff(map[string]any{"create": "a"}, map[string]any{"create": "b"}, false); d.DetailedDiff["create"].Kind != "update&replace" {
		t.Errorf("without update a change replaces: %+v", d.DetailedDiff)
	}
	if d := commandDiff(map[string]any{"delete": "a"}, map[string]any{"delete": "b"}, false); d.DetailedDiff["delete"].Kind != "update" {
		t.Errorf("a delete-only change never replaces: %+v", d.DetailedDiff)
	}
}

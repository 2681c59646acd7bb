package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestNotFoundIsOnlyTheDaemonsOwnAnswer(t *testing.T) {
	gone := []string{
		"Error response from daemon: No such container: cmw-t-box",
		"Error response from daemon: no such image: x: No such image: x:latest",
		"Error response from daemon: No such image: x:1",
		"Error response from daemon: network cmw-t-net not found",
		"Error response from daemon: get cmw-t-vol: no such volume",
	}
	for _, stderr := range gone {
		if !notFound(&cliError{command: "inspect", err: errors.New("exit status 1"), stderr: stderr}) {
			t.Errorf("must mean gone: %s", stderr)
		}
	}
	notGone := []string{
		"error during connect: Get \"http://docker.example.com/v1.41/containers/x/json\": command [ssh -p 9 root@127.0.0.1 docker system dial-stdio] has exited with exit status 255, make sure the URL is valid, and Docker 18.09 or later is installed on the remote host: stderr=ssh: connect to host 127.0.0.1 port 9: Connection refused",
		"ssh: Could not resolve hostname facility-b: Name or service not known",
		"bash: line 1: docker: command not found",
		"Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
		"Error response from daemon: plugin not found",
		"Error response from daemon: conflict: unable to remove repository reference",
	}
	for _, stderr := range notGone {
		if notFound(&cliError{command: "inspect", err: errors.New("exit status 1"), stderr: stderr}) {
			t.Errorf("must be an error, not gone: %s", stderr)
		}
	}
	if notFound(nil) || notFound(exec.ErrNotFound) || notFound(errors.New("No such container: x")) {
		t.Error("only a docker CLI answer can mean gone")
	}
}

func TestEnvFileKeepsValuesLiterally(t *testing.T) {
	got, err := envFileContent([]string{"A=1", `B=it's "quoted" & $HOME`, "C=x=y", "EMPTY="})
	if err != nil || string(got) != "A=1\nB=it's \"quoted\" & $HOME\nC=x=y\nEMPTY=\n" {
		t.Errorf("%q %v", got, err)
	}
	for _, bad := range []string{"NOVALUE", "=x", " A=1", "ML=a\nb"} {
		if _, err := envFileContent([]string{bad}); err == nil {
			t.Errorf("%q must be refused", bad)
		} else if strings.Contains(err.Error(), "\nb") {
			t.Errorf("the error must not carry the value: %v", err)
		}
	}
}

func TestCreateFlagsNeverCarryTheEnvironment(t *testing.T) {
	mem, restart := 96, "unless-stopped"
	in := ContainerArgs{Image: "img", Envs: []string{"TOKEN=secret"}, Memory: &mem, Restart: &restart,
		Labels: []ContainerLabel{{Label: "b", Value: "2"}, {Label: "a", Value: "1"}}}
	got := createFlags(in)
	want := []string{"--restart", "unless-stopped", "--memory", "96m", "--memory-swap", "96m", "--label", "a=1", "--label", "b=2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q", got)
	}
	for _, f := range got {
		if strings.Contains(f, "secret") {
			t.Errorf("an env value is on the command line: %q", got)
		}
	}
}

func TestPrivateDir(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "made")
	if err := privateDir(dir); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(dir); info.Mode().Perm() != 0o700 {
		t.Errorf("mode %v", info.Mode().Perm())
	}
	open := filepath.Join(base, "open")
	_ = os.Mkdir(open, 0o755)
	if err := privateDir(open); err == nil || !strings.Contains(err.Error(), open) {
		t.Errorf("a folder others can read must be refused, naming it: %v", err)
	}
	link := filepath.Join(base, "link")
	_ = os.Symlink(dir, link)
	if err := privateDir(link); err == nil {
		t.Error("a symlink must be refused")
	}
}

func TestContainerDiffRules(t *testing.T) {
	mem, mem2 := 64, 96
	name := "box"
	old := ContainerArgs{Name: &name, Image: "i", Memory: &mem, Envs: []string{"A=1"}}
	inPlace := old
	inPlace.Memory = &mem2
	d := containerDiff(ContainerState{ContainerArgs: old, Running: true}, inPlace)
	if !d.HasChanges || d.DeleteBeforeReplace || d.DetailedDiff["memory"].Kind != "update" {
		t.Errorf("memory changes in place: %+v", d)
	}
	replaced := old
	replaced.Envs = []string{"A=2"}
	d = containerDiff(ContainerState{ContainerArgs: old, Running: true}, replaced)
	if d.DetailedDiff["envs"].Kind != "update&replace" || !d.DeleteBeforeReplace {
		t.Errorf("an env change replaces a named container, delete first: %+v", d)
	}
	if d := containerDiff(ContainerState{ContainerArgs: old, Running: false}, old); !d.HasChanges {
		t.Errorf("a stopped container that must run is a change: %+v", d)
	}
}

// fakeDocker puts a `docker` on PATH that prints stderr and exits with code.
func fakeDocker(t *testing.T, stderr string, code int) {
	dir := t.TempDir()
	script := "#!/bin/sh\nprintf '%s\\n' \"$FAKE_STDERR\" >&2\nexit " + strconv.Itoa(code) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "docker"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	t.Setenv("FAKE_STDERR", stderr)
}

func TestRunDockerClassifiesRealRuns(t *testing.T) {
	ctx := context.Background()
	host := "ssh://root@127.0.0.1:9"
	cfg := Config{Host: &host}

	fakeDocker(t, "Error response from daemon: No such container: box", 1)
	if _, err := runDocker(ctx, cfg, dockerRun{args: []string{"inspect", "box"}}); !notFound(err) {
		t.Errorf("the daemon's answer means gone: %v", err)
	}

	fakeDocker(t, "error during connect: ... stderr=ssh: connect to host 127.0.0.1 port 9: Connection refused", 1)
	_, err := runDocker(ctx, cfg, dockerRun{args: []string{"inspect", "box"}})
	if err == nil || notFound(err) || !strings.Contains(err.Error(), "port 9") {
		t.Errorf("an unreachable host is an error naming it: %v", err)
	}

	t.Setenv("PATH", t.TempDir()) // no docker at all
	_, err = runDocker(ctx, Config{}, dockerRun{args: []string{"inspect", "box"}})
	if err == nil || notFound(err) || !strings.Contains(err.Error(), "docker CLI is not on PATH") {
		t.Errorf("a missing docker binary is an error naming it: %v", err)
	}
}

func TestSSHWrapperDirSideBySide(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	// Each call stands for one provider process (one per host) doing it at the same time.
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() { _, err := makeSSHWrapperDir(); errs <- err }()
	}
	for i := 0; i < 8; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	dir, _ := makeSSHWrapperDir()
	self, _ := os.Executable()
	if target, err := os.Readlink(filepath.Join(dir, "ssh")); err != nil || target != self {
		t.Errorf("ssh -> %s, %v; want %s", target, err, self)
	}
}

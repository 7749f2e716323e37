package main

import (
	"strings"
	"testing"
)

func TestEncodeCommands(t *testing.T) {
	got, err := encodeCommands([]command{
		{background: true, argv: []string{"/bin/spin"}},
		{argv: []string{"/bin/echo", "two  spaces", ""}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "&\x00/bin/spin\n/bin/echo\x00two  spaces\x00\n"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	bad := [][]command{
		nil,
		{{background: true, argv: []string{"/bin/spin"}}},
		{{argv: []string{""}}},
		{{argv: []string{"&"}}},
		{{argv: []string{"/bin/x", "a\nb"}}},
		{{argv: []string{"/bin/x", "a\x00b"}}},
	}
	for _, cmds := range bad {
		if _, err := encodeCommands(cmds); err == nil {
			t.Errorf("%+v accepted", cmds)
		}
	}
}

func TestCommandFromArgs(t *testing.T) {
	c := commandFromArgs([]string{"&", "/bin/spin", "x"})
	if !c.background || strings.Join(c.argv, ",") != "/bin/spin,x" {
		t.Errorf("got %+v", c)
	}
}

func TestParseScript(t *testing.T) {
	text := `# a comment
/bin/a  one	two

& /bin/spin
/bin/b "two  words" x"y z"w "" "say \"hi\" \\"
`
	cmds, err := parseScript(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []command{
		{argv: []string{"/bin/a", "one", "two"}},
		{background: true, argv: []string{"/bin/spin"}},
		{argv: []string{"/bin/b", "two  words", "xy zw", "", `say "hi" \`}},
	}
	if len(cmds) != len(want) {
		t.Fatalf("got %d commands: %+v", len(cmds), cmds)
	}
	for i, w := range want {
		if cmds[i].background != w.background || strings.Join(cmds[i].argv, "|") != strings.Join(w.argv, "|") {
			t.Errorf("command %d = %+v, want %+v", i, cmds[i], w)
		}
	}
	// A quoted & is an argument, so as a program name it is refused.
	if _, err := parseScript(strings.NewReader(`"&" x`)); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("quoted & as program: %v", err)
	}
	for _, bad := range []string{"", "# only a comment\n", "/bin/a \"open\n", "&\n"} {
		if _, err := parseScript(strings.NewReader(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

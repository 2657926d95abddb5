package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

func init() {
	register(command{
		name:    "completion",
		summary: "print a shell completion script: mmoauth completion bash|zsh|fish",
		run:     runCompletion,
		subcommands: func() map[string]string {
			return map[string]string{
				"bash": "completion for bash",
				"zsh":  "completion for zsh",
				"fish": "completion for fish",
			}
		},
	})
}

const completionAbout = `
Prints a completion script for the shell, generated from the commands'
own flag tables, so it always lists what this build accepts:
  bash:  source <(mmoauth completion bash)       (or save it in /etc/bash_completion.d/)
  zsh:   source <(mmoauth completion zsh)        (or save it as _mmoauth in a directory of $fpath)
  fish:  mmoauth completion fish > ~/.config/fish/completions/mmoauth.fish`

func runCompletion(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	p := newFlagParser("completion", "mmoauth completion bash|zsh|fish", completionAbout, stdout)
	positional, err := p.parse(args)
	if err == nil {
		err = wantArgs(positional, 1, 1, "SHELL (bash, zsh or fish)")
	}
	if err != nil {
		return finish(stderr, "completion", err)
	}
	specs := collectSpecs(ctx)
	switch positional[0] {
	case "bash":
		writeBash(stdout, specs)
	case "zsh":
		writeZsh(stdout, specs)
	case "fish":
		writeFish(stdout, specs)
	default:
		return finish(stderr, "completion", usagef("SHELL: unknown shell %q (want bash, zsh or fish)", positional[0]))
	}
	return exitOK
}

// flagSpec is one flag as completion sees it.
type flagSpec struct {
	name, usage string
	takesValue  bool
}

// spelling is how the usage text spells the flag: -o, --url.
func (f flagSpec) spelling() string {
	if len(f.name) == 1 {
		return "-" + f.name
	}
	return "--" + f.name
}

// cmdSpec is a command or a subcommand with its flags.
type cmdSpec struct {
	name, summary string
	flags         []flagSpec
	subs          []cmdSpec
}

// collector records the flag sets the commands build and discards their
// usage text (flagCollector).
type collector struct{ sets map[string]*flag.FlagSet }

func (c *collector) Write(p []byte) (int, error) { return len(p), nil }

func (c *collector) collectFlags(name string, fs *flag.FlagSet) { c.sets[name] = fs }

// flagsOf runs "mmoauth ARGS... --help" into a collector and returns the
// flags of the set called name.
func flagsOf(ctx context.Context, c command, name string, args ...string) []flagSpec {
	col := &collector{sets: map[string]*flag.FlagSet{}}
	c.run(ctx, append(args, "--help"), col, io.Discard)
	fs := col.sets[name]
	if fs == nil {
		return nil
	}
	var out []flagSpec
	fs.VisitAll(func(f *flag.Flag) {
		b, isBool := f.Value.(interface{ IsBoolFlag() bool })
		_, usage := flag.UnquoteUsage(f)
		out = append(out, flagSpec{name: f.Name, usage: usage, takesValue: !isBool || !b.IsBoolFlag()})
	})
	return out
}

// collectSpecs walks the command table: every command, every subcommand,
// every flag, taken from the flag sets the commands really parse.
func collectSpecs(ctx context.Context) []cmdSpec {
	var specs []cmdSpec
	for _, name := range commandNames() {
		c, ok := commands[name]
		if !ok {
			// help: its "subcommands" are the commands.
			spec := cmdSpec{name: name, summary: helpSummary}
			for _, n := range commandNames() {
				if n != "help" {
					spec.subs = append(spec.subs, cmdSpec{name: n, summary: commands[n].summary})
				}
			}
			specs = append(specs, spec)
			continue
		}
		spec := cmdSpec{name: name, summary: c.summary, flags: flagsOf(ctx, c, name)}
		if c.subcommands != nil {
			summaries := c.subcommands()
			for _, sub := range c.subcommandNames() {
				spec.subs = append(spec.subs, cmdSpec{name: sub, summary: summaries[sub], flags: flagsOf(ctx, c, name+" "+sub, sub)})
			}
			if name == "completion" {
				// bash, zsh and fish are arguments: they have no flags of
				// their own beyond the command's.
				for i := range spec.subs {
					spec.subs[i].flags = nil
				}
			}
		}
		specs = append(specs, spec)
	}
	return specs
}

// valueFlags lists every flag, of any command, that takes a value, so that
// the scripts can skip the value when they look for the subcommand.
func valueFlags(specs []cmdSpec) []string {
	seen := map[string]bool{}
	var add func(s cmdSpec)
	add = func(s cmdSpec) {
		for _, f := range s.flags {
			if f.takesValue {
				seen[f.spelling()] = true
				if len(f.name) > 1 {
					seen["-"+f.name] = true
				}
			}
		}
		for _, sub := range s.subs {
			add(sub)
		}
	}
	for _, s := range specs {
		add(s)
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

func words(specs []cmdSpec) string {
	names := make([]string, 0, len(specs))
	for _, s := range specs {
		names = append(names, s.name)
	}
	return strings.Join(names, " ")
}

func flagWords(flags []flagSpec) string {
	out := make([]string, 0, len(flags))
	for _, f := range flags {
		out = append(out, f.spelling())
	}
	return strings.Join(out, " ")
}

// writeBash writes a bash completion function: the first word is the
// command, the second (for apps and help) the subcommand, then flags.
func writeBash(w io.Writer, specs []cmdSpec) {
	fmt.Fprintf(w, `# bash completion for mmoauth, generated by "mmoauth completion bash".
_mmoauth() {
    local cur="${COMP_WORDS[COMP_CWORD]}" cmd="" sub="" i w skip=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${COMP_WORDS[i]}"
        if [[ -n "$skip" ]]; then skip=""; continue; fi
        case "$w" in
            %s) skip=1 ;;
            -*) ;;
            *) if [[ -z "$cmd" ]]; then cmd="$w"; elif [[ -z "$sub" ]]; then sub="$w"; fi ;;
        esac
    done
    local list=""
    case "$cmd" in
        "") list=%q ;;
`, strings.Join(valueFlags(specs), "|"), words(specs))
	for _, s := range specs {
		if len(s.subs) == 0 {
			fmt.Fprintf(w, "        %s) list=%q ;;\n", s.name, flagWords(s.flags))
			continue
		}
		fmt.Fprintf(w, "        %s)\n            case \"$sub\" in\n", s.name)
		fmt.Fprintf(w, "                \"\") list=%q ;;\n", strings.TrimSpace(words(s.subs)+" "+flagWords(s.flags)))
		for _, sub := range s.subs {
			fmt.Fprintf(w, "                %s) list=%q ;;\n", sub.name, flagWords(sub.flags))
		}
		fmt.Fprintf(w, "            esac ;;\n")
	}
	fmt.Fprint(w, `    esac
    if [[ "$cur" != -* ]]; then
        local only=""
        for w in $list; do [[ "$w" != -* ]] && only="$only $w"; done
        [[ -n "$only" ]] && list="$only"
    fi
    COMPREPLY=($(compgen -W "$list" -- "$cur"))
}
complete -o default -F _mmoauth mmoauth
`)
}

// writeZsh writes a zsh completion function with descriptions.
func writeZsh(w io.Writer, specs []cmdSpec) {
	fmt.Fprint(w, `#compdef mmoauth
# zsh completion for mmoauth, generated by "mmoauth completion zsh".
_mmoauth() {
    local cmd="" sub="" skip="" i w
    for ((i = 2; i < CURRENT; i++)); do
        w="${words[i]}"
        if [[ -n "$skip" ]]; then skip=""; continue; fi
        case "$w" in
`)
	fmt.Fprintf(w, "            %s) skip=1 ;;\n", strings.Join(valueFlags(specs), "|"))
	fmt.Fprint(w, `            -*) ;;
            *) if [[ -z "$cmd" ]]; then cmd="$w"; elif [[ -z "$sub" ]]; then sub="$w"; fi ;;
        esac
    done
    local -a items
    case "$cmd" in
        "")
            items=(
`)
	for _, s := range specs {
		fmt.Fprintf(w, "                %s\n", zshQuote(s.name+":"+s.summary))
	}
	fmt.Fprint(w, "            )\n            _describe command items; return ;;\n")
	for _, s := range specs {
		fmt.Fprintf(w, "        %s)\n", s.name)
		if len(s.subs) > 0 {
			fmt.Fprint(w, "            case \"$sub\" in\n                \"\")\n                    items=(\n")
			for _, sub := range s.subs {
				fmt.Fprintf(w, "                        %s\n", zshQuote(sub.name+":"+sub.summary))
			}
			fmt.Fprint(w, "                    )\n                    _describe subcommand items\n")
			zshFlags(w, "                    ", s.flags)
			fmt.Fprint(w, "                    return ;;\n")
			for _, sub := range s.subs {
				fmt.Fprintf(w, "                %s)\n", sub.name)
				zshFlags(w, "                    ", sub.flags)
				fmt.Fprint(w, "                    ;;\n")
			}
			fmt.Fprint(w, "            esac ;;\n")
			continue
		}
		zshFlags(w, "            ", s.flags)
		fmt.Fprint(w, "            ;;\n")
	}
	fmt.Fprint(w, `    esac
}
if [[ "$funcstack[1]" == "_mmoauth" ]]; then _mmoauth "$@"; else compdef _mmoauth mmoauth; fi
`)
}

func zshFlags(w io.Writer, indent string, flags []flagSpec) {
	if len(flags) == 0 {
		return
	}
	fmt.Fprintf(w, "%sitems=(\n", indent)
	for _, f := range flags {
		fmt.Fprintf(w, "%s    %s\n", indent, zshQuote(f.spelling()+":"+f.usage))
	}
	fmt.Fprintf(w, "%s)\n%s_describe -o flag items\n", indent, indent)
}

// zshQuote single-quotes s for zsh; a colon in the name part would end it,
// so descriptions keep theirs escaped.
func zshQuote(s string) string {
	name, desc, _ := strings.Cut(s, ":")
	desc = strings.ReplaceAll(desc, ":", `\:`)
	return "'" + strings.ReplaceAll(name+":"+desc, "'", `'\''`) + "'"
}

// writeFish writes fish completions, one complete line per word.
func writeFish(w io.Writer, specs []cmdSpec) {
	fmt.Fprintln(w, `# fish completion for mmoauth, generated by "mmoauth completion fish".`)
	fmt.Fprintln(w, "complete -c mmoauth -f")
	all := words(specs)
	for _, s := range specs {
		fmt.Fprintf(w, "complete -c mmoauth -n %s -a %s -d %s\n",
			fishQuote("not __fish_seen_subcommand_from "+all), s.name, fishQuote(s.summary))
	}
	for _, s := range specs {
		in := "__fish_seen_subcommand_from " + s.name
		if len(s.subs) > 0 {
			subs := words(s.subs)
			for _, sub := range s.subs {
				fmt.Fprintf(w, "complete -c mmoauth -n %s -a %s -d %s\n",
					fishQuote(in+"; and not __fish_seen_subcommand_from "+subs), sub.name, fishQuote(sub.summary))
				for _, f := range sub.flags {
					fishFlag(w, in+"; and __fish_seen_subcommand_from "+sub.name, f)
				}
			}
		}
		for _, f := range s.flags {
			fishFlag(w, in, f)
		}
	}
}

func fishFlag(w io.Writer, cond string, f flagSpec) {
	kind := "-l"
	if len(f.name) == 1 {
		kind = "-s"
	}
	req := ""
	if f.takesValue {
		req = " -r"
	}
	fmt.Fprintf(w, "complete -c mmoauth -n %s %s %s%s -d %s\n", fishQuote(cond), kind, f.name, req, fishQuote(f.usage))
}

func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

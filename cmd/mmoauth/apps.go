package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/models"
)

func init() {
	register(command{
		name:    "apps",
		summary: "list, show, create, update and delete OAuth apps, regenerate secrets (administrators)",
		run:     runApps,
		subcommands: func() map[string]string {
			out := make(map[string]string, len(appsCommands))
			for name, c := range appsCommands {
				out[name] = c.summary
			}
			return out
		},
	})
}

const appsAbout = `
Manages the OAuth apps of a server with a session or personal access token
that has manage_oauth (a system administrator's, on a stock server).

subcommands:
  list          list the apps the token may see (all of them with manage_system_wide_oauth)
  get           show one app
  create        create an app and print its client secret, once
  update        change some fields of an app (the others are kept)
  regen-secret  give an app a new client secret and print it, once
  delete        delete an app

The server is --url or $MMOAUTH_URL; the token is $MMOAUTH_TOKEN, --token-file
or --token. Run 'mmoauth apps SUBCOMMAND --help' for the flags of each.`

// appsCommand is one subcommand of apps.
type appsCommand struct {
	summary  string
	synopsis string
	about    string
	// flags registers the subcommand's own flags and returns the body to run
	// once every flag is parsed and validated.
	flags func(fs *flag.FlagSet) appsBody
}

// appsBody validates its flags and positional arguments, then runs against
// the server. validate runs before any I/O.
type appsBody struct {
	validate func(positional []string) error
	run      func(ctx context.Context, c *client.Client, out *outputFlags, stdout, stderr io.Writer) error
}

var appsCommands = map[string]appsCommand{
	"list":         appsList,
	"get":          appsGet,
	"create":       appsCreate,
	"update":       appsUpdate,
	"regen-secret": appsRegenSecret,
	"delete":       appsDelete,
}

// appsSubcommandList is "list, get, create, update, regen-secret or delete".
const appsSubcommandList = "list, get, create, update, regen-secret or delete"

func runApps(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return finish(stderr, "apps", usagef("missing subcommand: %s (see 'mmoauth apps --help')", appsSubcommandList))
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		p := newFlagParser("apps", "mmoauth apps list|get|create|update|regen-secret|delete [flags]", appsAbout, stdout)
		var common appsFlags
		common.register(p.fs)
		p.printUsage()
		return exitOK
	}
	sub, ok := appsCommands[args[0]]
	if !ok {
		return finish(stderr, "apps", usagef("unknown subcommand %q: want %s", args[0], appsSubcommandList))
	}
	name := "apps " + args[0]
	return finish(stderr, name, runAppsCommand(ctx, name, sub, args[1:], stdout, stderr))
}

func runAppsCommand(ctx context.Context, name string, sub appsCommand, args []string, stdout, stderr io.Writer) error {
	p := newFlagParser(name, sub.synopsis, sub.about, stdout)
	body := sub.flags(p.fs)
	var common appsFlags
	common.register(p.fs)
	out, srv, tok := &common.out, &common.srv, &common.tok
	positional, err := p.parse(args)
	if err != nil {
		return err
	}
	if err := out.validate(); err != nil {
		return err
	}
	if err := body.validate(positional); err != nil {
		return err
	}
	serverURL, err := srv.resolve("", false)
	if err != nil {
		return err
	}
	token, err := tok.resolve(name, stderr)
	if err != nil {
		return err
	}
	c, err := client.New(serverURL, append(out.clientOptions(stderr), client.WithToken(token))...)
	if err != nil {
		return usagef("--url: %v", err)
	}
	ctx, cancel := out.withTimeout(ctx)
	defer cancel()
	return body.run(ctx, c, out, stdout, stderr)
}

// appsFlags are the flags every apps subcommand shares (and apps --help
// lists): output, server and token.
type appsFlags struct {
	out outputFlags
	srv serverFlags
	tok tokenFlags
}

func (f *appsFlags) register(fs *flag.FlagSet) {
	f.out.register(fs)
	f.srv.register(fs)
	f.tok.register(fs)
}

// appIDBody is the body of a subcommand whose only argument is one app id
// (get, delete): the id is checked by oneAppID before any I/O, then run
// gets it.
func appIDBody(run func(ctx context.Context, c *client.Client, appID string, out *outputFlags, stdout, stderr io.Writer) error) appsBody {
	var appID string
	return appsBody{
		validate: func(positional []string) error {
			var err error
			appID, err = oneAppID(positional)
			return err
		},
		run: func(ctx context.Context, c *client.Client, out *outputFlags, stdout, stderr io.Writer) error {
			return run(ctx, c, appID, out, stdout, stderr)
		},
	}
}

var appsList = appsCommand{
	summary:  "list the apps the token may see",
	synopsis: "mmoauth apps list [flags]",
	about: `Lists every OAuth app the token may see, fetching all pages. Client secrets
are never printed by list; use 'mmoauth apps get --show-secret ID'.`,
	flags: func(fs *flag.FlagSet) appsBody {
		perPage := fs.Int("per-page", models.MaxPerPage, "apps per request (1-200)")
		return appsBody{
			validate: func(positional []string) error {
				if err := wantArgs(positional, 0, 0, ""); err != nil {
					return err
				}
				if *perPage < 1 || *perPage > models.MaxPerPage {
					return usagef("--per-page: must be between 1 and %d, got %d", models.MaxPerPage, *perPage)
				}
				return nil
			},
			run: func(ctx context.Context, c *client.Client, out *outputFlags, stdout, _ io.Writer) error {
				views := []appView{}
				for app, err := range c.OAuthApps(ctx, *perPage) {
					if err != nil {
						return err
					}
					views = append(views, newAppView(app, false))
				}
				if out.json() {
					return writeJSON(stdout, views)
				}
				if len(views) == 0 {
					_, err := fmt.Fprintln(stdout, "no OAuth apps")
					return err
				}
				rows := make([][]string, 0, len(views))
				for _, v := range views {
					rows = append(rows, []string{v.ID, v.Name, v.kind(), strconv.FormatBool(v.IsTrusted), list(v.CallbackURLs)})
				}
				return writeTable(stdout, []string{"ID", "NAME", "TYPE", "TRUSTED", "CALLBACK_URLS"}, rows)
			},
		}
	},
}

var appsGet = appsCommand{
	summary:  "show one app",
	synopsis: "mmoauth apps get [flags] APP_ID",
	about: `Shows one OAuth app (the token must be its creator's or have
manage_system_wide_oauth). The client secret is printed only with --show-secret.`,
	flags: func(fs *flag.FlagSet) appsBody {
		showSecret := fs.Bool("show-secret", false, "print the client secret too")
		return appIDBody(func(ctx context.Context, c *client.Client, appID string, out *outputFlags, stdout, _ io.Writer) error {
			app, _, err := c.GetOAuthApp(ctx, appID)
			if err != nil {
				return err
			}
			return writeApp(stdout, out, newAppView(app, *showSecret))
		})
	},
}

var appsCreate = appsCommand{
	summary:  "create an app and print its client secret, once",
	synopsis: "mmoauth apps create [flags] --name NAME --homepage URL --callback-url URL [--callback-url URL ...]",
	about: `Creates an OAuth app and prints it with its client secret (none for --public).
The secret is printed on stdout only; store it now. --trusted (skip the consent
screen) is honoured only for tokens with manage_system.`,
	flags: func(fs *flag.FlagSet) appsBody {
		var req models.CreateOAuthAppRequest
		var callbacks stringList
		fs.StringVar(&req.Name, "name", "", "app `name` (1-64 bytes)")
		fs.StringVar(&req.Description, "description", "", "app description (at most 512 characters)")
		fs.StringVar(&req.Homepage, "homepage", "", "app home page `URL`")
		fs.StringVar(&req.IconURL, "icon-url", "", "app icon `URL`")
		fs.Var(&callbacks, "callback-url", "a redirect `URL` the app may use (repeatable; at least one)")
		fs.BoolVar(&req.IsTrusted, "trusted", false, "skip the consent screen (manage_system only)")
		fs.BoolVar(&req.IsPublic, "public", false, "a public client: no secret, PKCE required (Mattermost v11.2+)")
		return appsBody{
			validate: func(positional []string) error {
				if err := wantArgs(positional, 0, 0, ""); err != nil {
					return err
				}
				req.CallbackURLs = callbacks
				// models mirrors the server's OAuthApp.IsValid.
				if err := req.Validate(); err != nil {
					return flagError(err, createFlagOf)
				}
				return nil
			},
			run: func(ctx context.Context, c *client.Client, out *outputFlags, stdout, stderr io.Writer) error {
				app, _, err := c.CreateOAuthApp(ctx, &req)
				if err != nil {
					return err
				}
				if err := writeApp(stdout, out, newAppView(app, true)); err != nil {
					return err
				}
				secretShownOnce(stderr, "apps create", out, app)
				return nil
			},
		}
	},
}

// secretShownOnce reminds a person at a terminal that the secret just
// printed cannot be shown again by this command (stderr, so that it never
// mixes with the secret on stdout).
func secretShownOnce(stderr io.Writer, name string, out *outputFlags, app *models.OAuthApp) {
	if !out.json() && app.ClientSecret.IsSet() {
		fmt.Fprintf(stderr, "mmoauth %s: the client secret above is shown only this once; store it now\n", name)
	}
}

var appsUpdate = appsCommand{
	summary:  "change some fields of an app (the others are kept)",
	synopsis: "mmoauth apps update [flags] APP_ID [--name NAME] [--homepage URL] [--callback-url URL ...] ...",
	about: `Changes the given fields of an OAuth app and keeps the others: the app is
read, the flags given are applied, and the whole app is written back (the
server's PUT replaces every field). --callback-url replaces the whole list.
--trusted=true|false is honoured only for tokens with manage_system; the
client secret does not change (see regen-secret).`,
	flags: func(fs *flag.FlagSet) appsBody {
		var name, description, homepage, iconURL string
		var callbacks stringList
		var trusted bool
		fs.StringVar(&name, "name", "", "new app `name` (1-64 bytes)")
		fs.StringVar(&description, "description", "", "new description (at most 512 characters)")
		fs.StringVar(&homepage, "homepage", "", "new home page `URL`")
		fs.StringVar(&iconURL, "icon-url", "", "new icon `URL`")
		fs.Var(&callbacks, "callback-url", "a redirect `URL` (repeatable; replaces the list)")
		fs.BoolVar(&trusted, "trusted", false, "skip the consent screen: --trusted=true or --trusted=false (manage_system only)")
		var appID string
		set := map[string]bool{}
		// apply copies the flags given onto req.
		apply := func(req *models.UpdateOAuthAppRequest) {
			if set["name"] {
				req.Name = name
			}
			if set["description"] {
				req.Description = description
			}
			if set["homepage"] {
				req.Homepage = homepage
			}
			if set["icon-url"] {
				req.IconURL = iconURL
			}
			if set["callback-url"] {
				req.CallbackURLs = callbacks
			}
			if set["trusted"] {
				req.IsTrusted = trusted
			}
		}
		return appsBody{
			validate: func(positional []string) error {
				var err error
				if appID, err = oneAppID(positional); err != nil {
					return err
				}
				fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
				changes := 0
				for _, f := range []string{"name", "description", "homepage", "icon-url", "callback-url", "trusted"} {
					if set[f] {
						changes++
					}
				}
				if changes == 0 {
					return usagef("missing change: give at least one of --name, --description, --homepage, --icon-url, --callback-url, --trusted")
				}
				// The values given must pass the server's rules on their
				// own (models mirrors OAuthApp.IsValid); the fields not
				// given are the app's and are checked by the server.
				probe := models.UpdateOAuthAppRequest{
					ID: appID, Name: "x", Homepage: "https://app.invalid", CallbackURLs: []string{"https://app.invalid/cb"},
				}
				apply(&probe)
				if err := probe.Validate(); err != nil {
					return flagError(err, createFlagOf)
				}
				return nil
			},
			run: func(ctx context.Context, c *client.Client, out *outputFlags, stdout, _ io.Writer) error {
				app, _, err := c.GetOAuthApp(ctx, appID)
				if err != nil {
					return err
				}
				req := models.UpdateOAuthAppRequest{
					ID: app.ID, Name: app.Name, Description: app.Description, IconURL: app.IconURL,
					CallbackURLs: app.CallbackURLs, Homepage: app.Homepage, IsTrusted: app.IsTrusted,
					MattermostAppID: app.MattermostAppID,
				}
				apply(&req)
				updated, _, err := c.UpdateOAuthApp(ctx, &req)
				if err != nil {
					return err
				}
				return writeApp(stdout, out, newAppView(updated, false))
			},
		}
	},
}

var appsRegenSecret = appsCommand{
	summary:  "give an app a new client secret and print it, once",
	synopsis: "mmoauth apps regen-secret [flags] APP_ID",
	about: `Gives an OAuth app a new client secret and prints the app with it, on stdout
only; store it now. The old secret stops working at once.`,
	flags: func(*flag.FlagSet) appsBody {
		return appIDBody(func(ctx context.Context, c *client.Client, appID string, out *outputFlags, stdout, stderr io.Writer) error {
			app, _, err := c.RegenerateOAuthAppSecret(ctx, appID)
			if err != nil {
				return err
			}
			if err := writeApp(stdout, out, newAppView(app, true)); err != nil {
				return err
			}
			secretShownOnce(stderr, "apps regen-secret", out, app)
			return nil
		})
	},
}

// createFlagOf maps the JSON fields of CreateOAuthAppRequest to the flags of
// apps create.
var createFlagOf = map[string]string{
	"name":          "--name",
	"description":   "--description",
	"homepage":      "--homepage",
	"icon_url":      "--icon-url",
	"callback_urls": "--callback-url",
}

var appsDelete = appsCommand{
	summary:  "delete an app",
	synopsis: "mmoauth apps delete [flags] APP_ID",
	about:    `Deletes an OAuth app; its tokens stop working.`,
	flags: func(*flag.FlagSet) appsBody {
		return appIDBody(func(ctx context.Context, c *client.Client, appID string, out *outputFlags, stdout, _ io.Writer) error {
			status, _, err := c.DeleteOAuthApp(ctx, appID)
			if err != nil {
				return err
			}
			if out.json() {
				return writeJSON(stdout, struct {
					ID     string `json:"id"`
					Status string `json:"status"`
				}{appID, status.Status})
			}
			_, err = fmt.Fprintf(stdout, "deleted %s\n", appID)
			return err
		})
	},
}

// oneAppID checks that exactly one well-formed app id was given (the server
// answers 400 invalid_url_param otherwise; server/channels/api4/oauth.go).
func oneAppID(positional []string) (string, error) {
	if err := wantArgs(positional, 1, 1, "APP_ID"); err != nil {
		return "", err
	}
	if !models.IsValidID(positional[0]) {
		return "", usagef("APP_ID: %q is not a Mattermost id (26 letters and digits)", positional[0])
	}
	return positional[0], nil
}

// appView is how the CLI shows an app: the server's fields, the derived
// is_public, and client_secret only when it is meant to be shown.
type appView struct {
	ID                      string   `json:"id"`
	Name                    string   `json:"name"`
	Description             string   `json:"description"`
	Homepage                string   `json:"homepage"`
	IconURL                 string   `json:"icon_url"`
	CallbackURLs            []string `json:"callback_urls"`
	IsTrusted               bool     `json:"is_trusted"`
	IsPublic                bool     `json:"is_public"`
	IsDynamicallyRegistered bool     `json:"is_dynamically_registered"`
	CreatorID               string   `json:"creator_id"`
	CreateAt                int64    `json:"create_at"`
	UpdateAt                int64    `json:"update_at"`
	ClientSecret            string   `json:"client_secret,omitempty"`
}

func newAppView(a *models.OAuthApp, withSecret bool) appView {
	v := appView{
		ID: a.ID, Name: a.Name, Description: a.Description, Homepage: a.Homepage, IconURL: a.IconURL,
		CallbackURLs: a.CallbackURLs, IsTrusted: a.IsTrusted, IsPublic: a.IsPublic(),
		IsDynamicallyRegistered: a.IsDynamicallyRegistered, CreatorID: a.CreatorID,
		CreateAt: a.CreateAt, UpdateAt: a.UpdateAt,
	}
	if v.CallbackURLs == nil {
		v.CallbackURLs = []string{}
	}
	if withSecret {
		v.ClientSecret = a.ClientSecret.Reveal()
	}
	return v
}

// kind is "public" or "confidential", with "(DCR)" for apps registered with
// RFC 7591.
func (v appView) kind() string {
	k := "confidential"
	if v.IsPublic {
		k = "public"
	}
	if v.IsDynamicallyRegistered {
		k += " (DCR)"
	}
	return k
}

func writeApp(w io.Writer, out *outputFlags, v appView) error {
	if out.json() {
		return writeJSON(w, v)
	}
	fields := []field{
		{"id", v.ID},
		{"name", v.Name},
		{"type", v.kind()},
		{"trusted", strconv.FormatBool(v.IsTrusted)},
		{"callback_urls", list(v.CallbackURLs)},
		{"homepage", orDash(v.Homepage)},
		{"description", orDash(v.Description)},
		{"icon_url", orDash(v.IconURL)},
		{"creator_id", orDash(v.CreatorID)},
		{"created", millis(v.CreateAt)},
		{"updated", millis(v.UpdateAt)},
	}
	if v.ClientSecret != "" {
		fields = append(fields, field{"client_secret", v.ClientSecret})
	}
	return writeFields(w, fields)
}

// millis renders a Mattermost timestamp (milliseconds since the epoch).
func millis(ms int64) string {
	if ms == 0 {
		return "-"
	}
	return time.UnixMilli(ms).UTC().Format(time.RFC3339)
}

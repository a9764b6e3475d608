// Command demo tells the README's story against a running `make run` (`make demo`, in a second
// terminal): an object registered, a complete package filed under its name, every step of the
// procedure completed by its role up to the certificate, the certificate downloaded, its register
// entry verified offline, and the certificate recalled. It writes its files under build/demo/.
//
//	go run ./infra/demo -api http://127.0.0.1:3000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"attestation/internal/demo"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	root, err := findRoot()
	if err != nil {
		return err
	}
	port := os.Getenv("API_PORT")
	if port == "" {
		port = "3000"
	}
	var (
		api     = flag.String("api", "http://127.0.0.1:"+port, "the local stack's HTTP API (the default port is make run's, or env API_PORT)")
		out     = flag.String("out", filepath.Join(root, "build", "demo"), "where the demo writes the certificate, the recall decision and the checked register entry")
		pkg     = flag.String("package", filepath.Join(root, "internal", "attestation", "testdata", "packages", "valid.json"), "the complete package to file")
		name    = flag.String("object", "E-licensing", "the name of the object registered and attested")
		timeout = flag.Duration("step-timeout", 30*time.Second, "how long to wait for each step to open")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	_, err = demo.Run(ctx, demo.Config{APIURL: *api, PackageFile: *pkg, OutDir: *out, ObjectName: *name, StepTimeout: *timeout, Out: os.Stdout})
	return err
}

// findRoot is the repository's root: the nearest directory above the working directory holding
// go.mod and template.yaml.
func findRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		_, errMod := os.Stat(filepath.Join(d, "go.mod"))
		_, errTpl := os.Stat(filepath.Join(d, "template.yaml"))
		if errMod == nil && errTpl == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", errors.New("demo: run it inside the repository (no go.mod with template.yaml above the working directory)")
		}
		d = parent
	}
}

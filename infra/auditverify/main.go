// Command auditverify checks the daily archive of the call records (seed 003 §7-§8, Law Art. 40;
// internal/callarchive) in the Object Lock records bucket: every day of the range has its manifest
// and file, each file's SHA-256 and record count are its manifest's, and each manifest holds the
// SHA-256 of the previous day's manifest as stored. With -table it also reads each day's records
// from the table and compares them with the archive. It prints one line per problem (or the JSON
// report with -json) and exits 1 when there is any, 2 when it could not verify.
//
//	go run ./infra/auditverify -local http://127.0.0.1:3002 -from 2026-10-14 -to 2026-10-15   # make run's moto
//	go run ./infra/auditverify -bucket <RecordsBucket> -table <AttestationTable> -from 2026-10-01 -to 2026-10-31
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"attestation/internal/audit"
	"attestation/internal/callarchive"
	"attestation/internal/dynamostore"
	"attestation/internal/localstack"
	"attestation/internal/s3store"
	"attestation/internal/samtemplate"
)

func main() {
	ok, err := run(context.Background(), os.Args[1:], os.Stdout)
	switch {
	case err != nil:
		fmt.Fprintln(os.Stderr, "auditverify:", err)
		os.Exit(2)
	case !ok:
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) (bool, error) {
	yesterday := callarchive.DayToArchive(time.Now())
	fs := flag.NewFlagSet("auditverify", flag.ContinueOnError)
	var (
		from     = fs.String("from", yesterday, "the first UTC day to verify (YYYY-MM-DD)")
		to       = fs.String("to", yesterday, "the last UTC day to verify (YYYY-MM-DD)")
		bucket   = fs.String("bucket", "", "the records bucket (the stack's RecordsBucket); with -local, the local stack's")
		table    = fs.String("table", "", "also compare each day with the call records in this table (the stack's AttestationTable)")
		local    = fs.String("local", "", "moto's URL of a local stack (make run prints it): bucket and table named as it names them")
		asJSON   = fs.Bool("json", false, "print the report as JSON")
		noTable  = fs.Bool("no-table", false, "with -local, verify the bucket only")
		pathMode = fs.Bool("path-style", false, "S3 path-style addressing (set by -local)")
	)
	if err := fs.Parse(args); err != nil {
		return false, err
	}
	var awsCfg aws.Config
	if *local != "" {
		awsCfg = localstack.AWSConfig(*local)
		*pathMode = true
		b, t, err := localNames()
		if err != nil {
			return false, err
		}
		if *bucket == "" {
			*bucket = b
		}
		if *table == "" && !*noTable {
			*table = t
		}
	} else {
		var err error
		if awsCfg, err = config.LoadDefaultConfig(ctx); err != nil {
			return false, err
		}
	}
	if *bucket == "" {
		return false, errors.New("-bucket is required (or -local)")
	}
	objects := s3store.NewRecords(s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.UsePathStyle = *pathMode
		o.DisableLogOutputChecksumValidationSkipped = true
	}), *bucket)
	var calls audit.Reader
	if *table != "" {
		calls = dynamostore.NewAudit(dynamodb.NewFromConfig(awsCfg), *table)
	}
	rep, err := callarchive.Verify(ctx, objects, calls, *from, *to)
	if err != nil {
		return false, err
	}
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", " ")
		return rep.OK(), enc.Encode(rep)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(out, "%s %s: %s\n", p.Day, p.Kind, p.Message)
	}
	if rep.OK() {
		fmt.Fprintf(out, "ok: %d days (%s to %s), %d call records, the chain holds\n", rep.Days, rep.From, rep.To, rep.Records)
	} else {
		fmt.Fprintf(out, "FAILED: %d problems in %d days (%s to %s)\n", len(rep.Problems), rep.Days, rep.From, rep.To)
	}
	return rep.OK(), nil
}

// localNames are the records bucket and the table as the local stack names them from
// template.yaml (internal/localstack).
func localNames() (bucket, table string, err error) {
	root, err := localstack.FindRoot(".")
	if err != nil {
		return "", "", err
	}
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"),
		samtemplate.Names{Region: localstack.Region, AccountID: localstack.AccountID, Prefix: "attestation-"}, nil)
	if err != nil {
		return "", "", err
	}
	for _, b := range tpl.Buckets {
		if b.ObjectLock {
			bucket = b.Name
		}
	}
	for _, t := range tpl.Tables {
		if t.LogicalID == "AttestationTable" {
			table = t.Name
		}
	}
	if bucket == "" || table == "" {
		return "", "", errors.New("template.yaml names no Object Lock bucket or AttestationTable")
	}
	return bucket, table, nil
}

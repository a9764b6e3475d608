package attestation

import (
	"log/slog"
	"strings"
	"testing"
)

// TestNewServiceNamesAMissingPort: the service is built whole or not at all; the uploads store
// and the documents bucket come together or not at all.
func TestNewServiceNamesAMissingPort(t *testing.T) {
	whole := func() Deps {
		return Deps{Cases: newMemStore(), Records: newFakeRecords(), Documents: newFakeRecords(), Workflow: newFakeWorkflow(),
			Calendar: kazakhstan(t), Edition: editionRules, Log: slog.New(slog.DiscardHandler), ObjectOwners: owners{}}
	}
	if _, err := NewService(whole()); err != nil {
		t.Fatalf("whole, without uploads: %v", err)
	}
	for name, drop := range map[string]func(*Deps){
		"Cases": func(d *Deps) { d.Cases = nil }, "Records": func(d *Deps) { d.Records = nil },
		"Documents": func(d *Deps) { d.Documents = nil }, "Workflow": func(d *Deps) { d.Workflow = nil },
		"Calendar": func(d *Deps) { d.Calendar = nil }, "Edition": func(d *Deps) { d.Edition = "" },
		"Log": func(d *Deps) { d.Log = nil }, "ObjectOwners": func(d *Deps) { d.ObjectOwners = nil },
	} {
		t.Run("without "+name, func(t *testing.T) {
			d := whole()
			drop(&d)
			if _, err := NewService(d); err == nil || !strings.Contains(err.Error(), name+" is required") {
				t.Fatalf("err = %v, want it to name %s", err, name)
			}
		})
	}
	t.Run("uploads without the bucket", func(t *testing.T) {
		d := whole()
		d.Uploads = newMemUploads(newMemStore())
		if _, err := NewService(d); err == nil || !strings.Contains(err.Error(), "Uploads and Files") {
			t.Fatalf("err = %v", err)
		}
	})
}

package dynamostore

import (
	"crypto/sha256"
	"encoding/json"
	"sync"

	"attestation/internal/attestation"
)

// documentsSeen remembers, for the cases a store last read with their documents or wrote, the
// version and a digest of the documents stored with it, so that an Update whose documents are
// those of the version it replaces writes the case item alone (its documents item is most of a
// case's size). It is safe to forget: a case it does not know gets its documents written. It is
// safe to trust: every write of the documents item goes with a write of the case conditional on
// its version, so the documents stored at a version never change while it is current.
type documentsSeen struct {
	mu   sync.Mutex
	seen map[string]seenDocuments
}

type seenDocuments struct {
	version int
	digest  [32]byte
}

// maxSeen bounds the memory: past it, everything is forgotten at once.
const maxSeen = 4096

func documentsDigest(docs []attestation.Document) [32]byte {
	b, _ := json.Marshal(docs)
	return sha256.Sum256(b)
}

// read records the documents of c as stored at c.Version.
func (d *documentsSeen) read(c attestation.Case) {
	d.set(c.ID, c.Version, documentsDigest(c.Documents))
}

// wrote records what a successful write of c left stored: its documents at c.Version, unless it
// carried none (the stored ones were kept, and are not known here).
func (d *documentsSeen) wrote(c attestation.Case) {
	if len(c.Documents) == 0 {
		d.mu.Lock()
		delete(d.seen, c.ID)
		d.mu.Unlock()
		return
	}
	d.set(c.ID, c.Version, documentsDigest(c.Documents))
}

// unchanged reports whether c, to be written at c.Version, carries the documents stored at the
// version it replaces.
func (d *documentsSeen) unchanged(c attestation.Case) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, ok := d.seen[c.ID]
	return ok && s.version == c.Version-1 && s.digest == documentsDigest(c.Documents)
}

func (d *documentsSeen) set(id string, version int, digest [32]byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen == nil || len(d.seen) >= maxSeen {
		d.seen = map[string]seenDocuments{}
	}
	d.seen[id] = seenDocuments{version: version, digest: digest}
}

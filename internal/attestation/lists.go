package attestation

import (
	"net/netip"
	"strings"
	"unicode/utf8"
)

// Annexes 4-6: the rows of the lists of integrated objects (Annex 4), hardware (Annex 5) and
// software (Annex 6), present exactly when the edition requires their document (§13(5), §13(6)).

// rows checks that a list of rows is present exactly when the edition requires its document, and
// within its limit. It reports whether the rows should be checked one by one.
func (v *validator) rows(field, docID string, n, limit int, what string) bool {
	if _, due := v.required[docID]; due {
		r := v.required[docID]
		if n == 0 {
			v.add(field, r.Paragraph, "empty: the %s is part of the package%s, so it needs at least one row", what, v.requiredBecause(r.Rule))
			return false
		}
	} else if n > 0 {
		rule, why := v.paragraph(docID, ruleDocumentReference), "is not part of this package"
		if rules := v.rulesOf[docID]; len(rules) > 0 {
			rule, why = rules[0].Paragraph, v.inapplicable(rules[0])
		}
		v.add(field, rule, "must be empty: the %s %s", what, why)
		return false
	}
	if n > limit {
		v.add(field, v.paragraph(docID, ruleDocumentReference), "%d rows: the %s has at most %d", n, what, limit)
		return false
	}
	return n > 0
}

// hardware checks the rows of Annex 5 and returns the row of each serial/inventory number.
func (v *validator) hardware(items []HardwareItem) map[string]int {
	if !v.rows("hardware", docHardwareList, len(items), MaxHardwareItems, "list of hardware (Annex 5)") {
		return nil
	}
	rule := v.paragraph(docHardwareList, "Annex 5")
	index := make(map[string]int, len(items))
	for i, h := range items {
		f := at{list: "hardware", i: i}
		v.text(f.field("manufacturerModel"), rule, "manufacturer, model (Annex 5 column 2)", h.ManufacturerModel, true, MaxNameLength)
		v.text(f.field("serialNumber"), rule, "serial/inventory number (Annex 5 column 3)", h.SerialNumber, true, MaxNameLength)
		v.text(f.field("certificateNumber"), rule, "information security certificate number (Annex 5 column 4)", h.CertificateNumber, false, MaxNameLength)
		v.text(f.field("location"), rule, "physical location (Annex 5 column 5)", h.Location, true, MaxNameLength)
		v.text(f.field("type"), rule, "type (Annex 5 column 6)", h.Type, true, MaxNameLength)
		v.text(f.field("purpose"), rule, "main functional purpose (Annex 5 column 7)", h.Purpose, true, MaxTextLength)
		v.text(f.field("protection"), rule, "methods of information protection (Annex 5 column 8)", h.Protection, true, MaxTextLength)
		v.text(f.field("integratedSoftware"), rule, "integrated software (Annex 5 column 9)", h.IntegratedSoftware, false, MaxTextLength)
		if sn := strings.TrimSpace(h.SerialNumber); sn != "" && len(h.SerialNumber) <= 4*MaxNameLength {
			if first, dup := index[sn]; dup {
				v.add(f.field("serialNumber").String(), rule, "serial/inventory number %q is also hardware[%d]'s: software rows name hardware by it, so it must be unique", clip(sn), first)
			} else {
				index[sn] = i
			}
		}
		v.addresses(f.field("ipAddresses"), rule, h.IPAddresses)
	}
	return index
}

// addresses checks the IP addresses of one hardware row (Annex 5 column 10).
func (v *validator) addresses(col at, rule string, ips []string) {
	if len(ips) > MaxIPAddresses {
		v.add(col.String(), rule, "%d IP addresses: a row has at most %d", len(ips), MaxIPAddresses)
		return
	}
	clear(v.seenAddr)
	for j, s := range ips {
		if len(s) > maxIPText {
			v.add(col.index(j), rule, "not an IP address: %d characters, too long for one", len(s))
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			if _, perr := netip.ParsePrefix(s); perr == nil {
				v.add(col.index(j), rule, "%q is a network prefix: list each address of the device instead", s)
			} else if strings.TrimSpace(s) == "" {
				v.add(col.index(j), rule, "the IP address is empty")
			} else {
				v.add(col.index(j), rule, "%q is not an IPv4 or IPv6 address", s)
			}
			continue
		}
		switch {
		case a.Zone() != "":
			v.add(col.index(j), rule, "%q has an IPv6 zone: give the address without %%%s", s, a.Zone())
			continue
		case a.IsUnspecified():
			v.add(col.index(j), rule, "%q is the unspecified address, not a device's address", s)
			continue
		case a.IsMulticast():
			v.add(col.index(j), rule, "%q is a multicast address, not a device's address", s)
			continue
		}
		key := a.Unmap()
		if k, dup := v.seenAddr[key]; dup {
			v.add(col.index(j), rule, "%q is listed twice in this row: it is also %s[%d]", s, col, k)
			continue
		}
		v.seenAddr[key] = j
	}
}

// software checks the rows of Annex 6; hw is the row of each hardware serial/inventory number, nil
// when the hardware list was not checked row by row.
func (v *validator) software(items []SoftwareItem, hw map[string]int) {
	if !v.rows("software", docSoftwareList, len(items), MaxSoftwareItems, "list of software (Annex 6)") {
		return
	}
	rule := v.paragraph(docSoftwareList, "Annex 6")
	for i, s := range items {
		f := at{list: "software", i: i}
		v.text(f.field("developer"), rule, "developer (Annex 6 column 2)", s.Developer, true, MaxNameLength)
		v.text(f.field("name"), rule, "name (Annex 6 column 3)", s.Name, true, MaxNameLength)
		v.text(f.field("version"), rule, "version (Annex 6 column 4)", s.Version, true, MaxNameLength)
		v.text(f.field("type"), rule, "type (Annex 6 column 6)", s.Type, true, MaxNameLength)
		v.text(f.field("purpose"), rule, "main functional purpose (Annex 6 column 7)", s.Purpose, true, MaxTextLength)
		v.text(f.field("protection"), rule, "methods of information protection (Annex 6 column 8)", s.Protection, true, MaxTextLength)
		v.places(f.field("installedOn"), rule, s.InstalledOn, hw)
	}
}

// places checks a software row's place of installation (Annex 6 column 5): serial/inventory
// numbers of rows of the list of hardware, each once.
func (v *validator) places(col at, rule string, places []string, hw map[string]int) {
	switch {
	case len(places) == 0:
		v.add(col.String(), rule, "place of installation (Annex 6 column 5) is missing: give the serial/inventory number of a row of the list of hardware")
		return
	case len(places) > MaxInstallPlaces:
		v.add(col.String(), rule, "%d places of installation: a row has at most %d", len(places), MaxInstallPlaces)
		return
	}
	clear(v.seenPlace)
	for j, p := range places {
		if len(p) > 4*MaxNameLength || utf8.RuneCountInString(p) > MaxNameLength {
			v.add(col.index(j), rule, "place of installation is too long: at most %d characters", MaxNameLength)
			continue
		}
		sn := strings.TrimSpace(p)
		if sn == "" {
			v.add(col.index(j), rule, "place of installation is empty: give the serial/inventory number of a row of the list of hardware")
			continue
		}
		if m := UnsafeTextProblem(sn); m != "" {
			v.add(col.index(j), rule, "place of installation %s", m)
			continue
		}
		if k, dup := v.seenPlace[sn]; dup {
			v.add(col.index(j), rule, "hardware %q is listed twice: it is also %s[%d]", clip(sn), col, k)
			continue
		}
		v.seenPlace[sn] = j
		if hw == nil {
			continue // the hardware list has its own problem; do not pile up references to it
		}
		if _, ok := hw[sn]; !ok {
			v.add(col.index(j), rule, "no row of the list of hardware has serial/inventory number %q", clip(sn))
		}
	}
}

// integrated checks the rows of Annex 4.
func (v *validator) integrated(items []IntegratedObject) {
	if !v.rows("integrated", docIntegratedList, len(items), MaxIntegratedItems, "list of integrated objects of informatization (Annex 4)") {
		return
	}
	rule := v.paragraph(docIntegratedList, "Annex 4")
	for i, o := range items {
		f := at{list: "integrated", i: i}
		v.text(f.field("name"), rule, "name of the object of informatization (Annex 4 column 2)", o.Name, true, MaxNameLength)
		v.text(f.field("owner"), rule, "possessor (owner) (Annex 4 column 3)", o.Owner, true, MaxNameLength)
		v.text(f.field("interaction"), rule, "nature of interaction (Annex 4 column 4)", o.Interaction, true, MaxTextLength)
	}
}

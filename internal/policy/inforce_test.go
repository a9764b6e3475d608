package policy_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"attestation/internal/policy"
)

var almatyZone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		panic(err)
	}
	return loc
}()

func onDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, almatyZone) }

// ends is the template's default: the earliest day the repeal of the Rules (Decree No. 1047 of
// 2019-12-31, in force ten days after its publication) can have taken effect.
const ends = "rules-2016-amended-2018=2020-01-11,law-2015-art51=2020-01-11"

func TestEditionsEndsAreConfiguration(t *testing.T) {
	t.Run("Decree No. 1047: an edition's end is read from configuration, the first day it no longer applies", func(t *testing.T) {
		got, err := policy.ParseEnds(" " + ends + " ")
		if err != nil || len(got) != 2 || !got["rules-2016-amended-2018"].Equal(time.Date(2020, 1, 11, 0, 0, 0, 0, almatyZone)) {
			t.Fatalf("%v %v", got, err)
		}
		if got, err := policy.ParseEnds(""); err != nil || len(got) != 0 {
			t.Fatalf("no ends: %v %v", got, err)
		}
	})
	for _, bad := range []string{"rules-2016-amended-2018", "nope=2020-01-11", "rules-2016-amended-2018=2020-13-01",
		"rules-2016-amended-2018=2018-04-09", "rules-2016-amended-2018=2020-01-11,rules-2016-amended-2018=2020-01-12"} {
		if _, err := policy.ParseEnds(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, tc := range []struct {
		in   string
		want policy.Mode
		ok   bool
	}{{"", policy.Model, true}, {"model", policy.Model, true}, {"enforce", policy.Enforce, true}, {"strict", "", false}} {
		if got, err := policy.ParseMode(tc.in); got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseMode(%q) = %q, %v", tc.in, got, err)
		}
	}
}

func TestEditionInForceOnTheFilingDate(t *testing.T) {
	e, err := policy.ParseEnds(ends)
	if err != nil {
		t.Fatal(err)
	}
	enforce := policy.Selector{Mode: policy.Enforce, Configured: policy.Default(), Ends: e}
	for _, tc := range []struct {
		name string
		at   time.Time
		want string
	}{
		{"Law Art. 51 before the Rules' amendment of 2018: the Law's edition", onDay(2017, 6, 1), "law-2015-art51"},
		{"Rules §1 as amended 2018-04-09: the Rules' edition from the day it applies", onDay(2018, 4, 9), "rules-2016-amended-2018"},
		{"Decree No. 1047: the last day before the repeal is still the Rules'", onDay(2020, 1, 10), "rules-2016-amended-2018"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := enforce.For(tc.at)
			if err != nil || c.Edition != tc.want || c.OutOfForce {
				t.Fatalf("%+v %v, want %s", c, err, tc.want)
			}
		})
	}
	t.Run("Decree No. 1047, Order No. 374/НҚ: a date no edition covers is refused in the enforce mode, naming each edition's span", func(t *testing.T) {
		for _, at := range []time.Time{onDay(2015, 12, 31), onDay(2020, 1, 11), onDay(2026, 10, 15)} {
			_, err := enforce.For(at)
			if !errors.Is(err, policy.ErrNoEditionInForce) || !strings.Contains(err.Error(), "rules-2016-amended-2018 from 2018-04-09 to 2020-01-10") ||
				!strings.Contains(err.Error(), at.Format(time.DateOnly)) {
				t.Fatalf("%s: %v", at, err)
			}
		}
	})
	t.Run("the model mode applies the configured edition on any date and marks a date it does not cover", func(t *testing.T) {
		model := policy.Selector{Mode: policy.Model, Configured: policy.Default(), Ends: e}
		c, err := model.For(onDay(2026, 10, 15))
		if err != nil || c.Edition != policy.Default() || !c.OutOfForce || !strings.Contains(c.Note, "2018-04-09 to 2020-01-10") {
			t.Fatalf("%+v %v", c, err)
		}
		if c, err := model.For(onDay(2019, 3, 1)); err != nil || c.OutOfForce {
			t.Fatalf("a date the edition covers: %+v %v", c, err)
		}
		if c, err := (policy.Selector{Configured: policy.Default()}).For(onDay(2026, 10, 15)); err != nil || c.OutOfForce {
			t.Fatalf("no end configured: %+v %v", c, err)
		}
	})
}

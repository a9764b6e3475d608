package calendar

import (
	"strings"
	"testing"
)

// TestDataValidationNamesTheField breaks the embedded data one way at a time and
// checks that loading fails with an error that names the field.
func TestDataValidationNamesTheField(t *testing.T) {
	loc := kz(t).Location()
	good := string(kazakhstanYAML)
	tests := []struct {
		name     string
		old, new string // replace the first old with new; old "" appends new
		want     string
	}{
		{"unknown top-level key", "", "colour: red\n", "field colour not found"},
		{"unknown holiday key", "  - name: New Year\n", "  - name: New Year\n    colour: red\n", "field colour not found"},
		{"unknown transfer key", "        act: Government Decree on the transfer of days off in 2016\n",
			"        act: Government Decree on the transfer of days off in 2016\n        number: 1\n", "field number not found"},
		{"not a number", "first_year: 2016", "first_year: twenty", "cannot unmarshal !!str `twenty` into int"},
		{"second YAML document", "", "---\nfirst_year: 2016\n", "more than one YAML document"},
		{"impossible full date", "      - 2016-09-12\n", "      - 2016-09-31\n",
			"holidays[9] (Kurban Ait (first day)).on_dates[0]: \"2016-09-31\": not a date"},
		{"impossible month-day", `dates: ["03-08"]`, `dates: ["03-32"]`,
			"holidays[2] (International Women's Day).dates[0]: \"03-32\""},
		{"February 29 as a yearly date", `dates: ["03-08"]`, `dates: ["02-29"]`,
			"holidays[2] (International Women's Day).dates[0]: \"02-29\": no such day in every year"},
		{"full date outside the covered years", "      - 2016-09-12\n", "      - 2015-09-23\n",
			"holidays[9] (Kurban Ait (first day)).on_dates[0]: 2015-09-23 is outside the years the calendar covers (2016-2027)"},
		{"lunar holiday missing a year", "      - 2020-07-31\n", "",
			"holidays[9] (Kurban Ait (first day)).on_dates: no date in 2020"},
		{"bad period of years", `years: ["1994-2008", "from 2022"]`, `years: ["1994-2008", "since 2022"]`,
			"holidays[12] (Republic Day).years[1]: \"since 2022\" is not a period of years"},
		{"period that ends before it starts", `years: ["2012-2021"]`, `years: ["2021-2012"]`,
			"holidays[13] (First President Day).years[0]: \"2021-2012\" ends before it starts"},
		{"religious day off said to carry", "    dates: [\"01-07\"]\n    carry: false\n", "    dates: [\"01-07\"]\n    carry: true\n",
			"holidays[1] (Orthodox Christmas).carry: a religious day off is never carried"},
		{"carry missing", "    dates: [\"01-07\"]\n    carry: false\n", "    dates: [\"01-07\"]\n",
			"holidays[1] (Orthodox Christmas).carry: missing"},
		{"kind unknown", "    kind: religious\n    dates: [\"01-07\"]", "    kind: church\n    dates: [\"01-07\"]",
			"holidays[1] (Orthodox Christmas).kind: \"church\" is not national, state or religious"},
		{"transfer working day on the wrong weekday", "working_day: 2016-03-05 Sat", "working_day: 2016-03-05 Sun",
			"years[0] (2016).transfers[0].working_day: 2016-03-05 is a Saturday, not Sunday as claimed"},
		{"transfer day off on the wrong weekday", "day_off: 2020-05-08 Fri", "day_off: 2020-05-08 Thu",
			"years[4] (2020).transfers[1].day_off: 2020-05-08 is a Friday, not Thursday as claimed"},
		{"transfer date without weekday", "day_off: 2016-03-07 Mon", "day_off: 2016-03-07",
			"years[0] (2016).transfers[0].day_off: \"2016-03-07\": write the date and its weekday"},
		{"transfer day off that is a holiday", "day_off: 2016-03-07 Mon", "day_off: 2016-03-08 Tue",
			"years[0] (2016).transfers[0].day_off: 2016-03-08 is already a day off (International Women's Day)"},
		{"transfer day off on a weekend", "day_off: 2016-03-07 Mon", "day_off: 2016-03-06 Sun",
			"years[0] (2016).transfers[0].day_off: 2016-03-06 is already a day off (weekend)"},
		{"transfer working day that already is one", "working_day: 2016-03-05 Sat", "working_day: 2016-03-04 Fri",
			"years[0] (2016).transfers[0].working_day: 2016-03-04 is already a working day"},
		{"transfer working day on a holiday", "working_day: 2016-03-05 Sat", "working_day: 2016-03-08 Tue",
			"years[0] (2016).transfers[0].working_day: 2016-03-08 is a holiday (International Women's Day)"},
		{"transfer day used twice", "day_off: 2017-07-07 Fri", "day_off: 2017-03-20 Mon",
			"years[1] (2017).transfers[1].day_off: the day is already used by years[1] (2017).transfers[0].day_off"},
		{"transfer day off in another year", "day_off: 2016-03-07 Mon", "day_off: 2017-03-07 Tue",
			"years[0] (2016).transfers[0].day_off: 2017-03-07 is not in 2016"},
		{"transfer without act", "        act: Government Decree on the transfer of days off in 2016\n", "",
			"years[0] (2016).transfers[0].act: missing"},
		{"year missing", "  - year: 2019\n", "  - year: 2030\n", "years[3].year: 2030 is outside first_year-last_year (2016-2027)"},
		{"year listed twice", "  - year: 2019\n", "  - year: 2018\n", "years[3].year: 2018 is listed twice"},
		{"year status unknown", "status: provisional", "status: expected",
			"years[11] (2027).status: \"expected\" is neither final nor provisional"},
		{"year without source", "status: provisional\n    source: ", "status: provisional\n    notes: ",
			"field notes not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := good + tt.new
			if tt.old != "" {
				if !strings.Contains(good, tt.old) {
					t.Fatalf("the embedded data no longer contains %q; update the test", tt.old)
				}
				data = strings.Replace(good, tt.old, tt.new, 1)
			}
			_, err := load([]byte(data), loc)
			if err == nil {
				t.Fatalf("load accepted the data, want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestDataValidationRequiresEveryYear(t *testing.T) {
	loc := kz(t).Location()
	good := string(kazakhstanYAML)
	start := strings.Index(good, "  - year: 2019\n")
	end := strings.Index(good, "  - year: 2020\n")
	if start < 0 || end < start {
		t.Fatal("the embedded data no longer lists 2019 then 2020; update the test")
	}
	_, err := load([]byte(good[:start]+good[end:]), loc)
	want := "calendar data: years: 2019 is missing"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v, want it to contain %q", err, want)
	}
}

func TestDataValidationAcceptsTheEmbeddedData(t *testing.T) {
	c, err := load(kazakhstanYAML, kz(t).Location())
	if err != nil {
		t.Fatalf("load(embedded) = %v", err)
	}
	if len(c.days) != 4383 { // 2016-01-01 to 2027-12-31; 2016, 2020 and 2024 are leap years
		t.Errorf("the table has %d days, want 4383", len(c.days))
	}
	if int(c.prefix[len(c.days)]) != len(c.work) {
		t.Errorf("prefix total %d != %d working days", c.prefix[len(c.days)], len(c.work))
	}
}

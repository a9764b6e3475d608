// Command webcal writes the working-day calendar of Kazakhstan (internal/calendar) as the web
// portal reads it, web/src/generated/calendar.json: for each year a string of one character per
// day, 1 for a working day and 0 for a day off. The portal counts the working days left to a due
// moment with it; main_test.go fails when the committed file differs from the calendar.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"attestation/internal/calendar"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "webcal:", err)
		os.Exit(1)
	}
}

func run() error {
	out := "web/src/generated/calendar.json"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	b, err := render()
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o644)
}

// Days is the file's shape: the first and last year, and each year's days from January 1.
type Days struct {
	First   int               `json:"first"`
	Last    int               `json:"last"`
	Working map[string]string `json:"working"`
}

// render answers the file's bytes.
func render() ([]byte, error) {
	c, err := calendar.Kazakhstan()
	if err != nil {
		return nil, err
	}
	first, last := c.Years()
	d := Days{First: first, Last: last, Working: map[string]string{}}
	for y := first; y <= last; y++ {
		var sb strings.Builder
		for day := time.Date(y, 1, 1, 12, 0, 0, 0, c.Location()); day.Year() == y; day = day.AddDate(0, 0, 1) {
			w, err := c.IsWorkingDay(day)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", day.Format(time.DateOnly), err)
			}
			if w {
				sb.WriteByte('1')
			} else {
				sb.WriteByte('0')
			}
		}
		d.Working[strconv.Itoa(y)] = sb.String()
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

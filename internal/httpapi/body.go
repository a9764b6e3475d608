package httpapi

import (
	"fmt"
	"mime"
	"strings"
	"unicode/utf8"

	"attestation/internal/apperr"
)

// A JSON body is read only when it comes as JSON, and only as the text it is: its Content-Type is
// application/json or a +json type (with UTF-8 as its only charset), and its bytes are UTF-8 with
// no character a decoder would have to replace. encoding/json turns bytes that are not UTF-8 and
// escaped halves of surrogate pairs into U+FFFD without a word; a body holding them is refused
// (400, naming the byte and the member), never stored changed.

// jsonBody is the request's body for a route that takes a JSON body: refused if oversized (413),
// sent with another content type (415), or not clean UTF-8 (400). An empty body is returned as
// is, whatever its content type: the route says whether it may be empty.
func jsonBody(r *request) ([]byte, error) {
	body, err := rawBody(r)
	if err != nil || len(body) == 0 {
		return body, err
	}
	ct, _ := header(r.Headers, "Content-Type")
	if err := jsonContentType(ct); err != nil {
		return nil, err
	}
	if err := bodyText(body); err != nil {
		return nil, err
	}
	return body, nil
}

// jsonContentType refuses a content type that is not JSON, with 415.
func jsonContentType(ct string) error {
	const want = "send the body as JSON, with Content-Type: application/json (or a +json type), in UTF-8"
	if strings.TrimSpace(ct) == "" {
		return badRequest(apperr.UnsupportedMediaType, "Content-Type: missing; "+want)
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return badRequest(apperr.UnsupportedMediaType, fmt.Sprintf("Content-Type: %q is not a media type; %s", clipped(ct), want))
	}
	if mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		return badRequest(apperr.UnsupportedMediaType, fmt.Sprintf("Content-Type: %s is not JSON; %s", clipped(mt), want))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return badRequest(apperr.UnsupportedMediaType, fmt.Sprintf("Content-Type: charset %q; %s", clipped(cs), want))
	}
	return nil
}

// clipped is a header's value for a message: at most 64 bytes, printable ASCII.
func clipped(s string) string {
	out := []byte{}
	for i := 0; i < len(s) && len(out) < 64; i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			out = append(out, c)
		} else {
			out = append(out, '?')
		}
	}
	return string(out)
}

// bodyText checks that a JSON body is text a decoder keeps as it is: valid UTF-8, no U+FFFD (a
// replacement made on the way), and no escaped surrogate (\uD800-\uDFFF) that is not half of a
// pair. The problem names the byte and the member whose name or value holds it.
func bodyText(body []byte) error {
	type frame struct {
		object bool
		key    string
	}
	var stack []frame
	prev := byte(0) // the last structural character outside strings
	where := func(inKey bool) string {
		if inKey {
			return "in a member's name"
		}
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].object && stack[i].key != "" {
				return fmt.Sprintf("in %q", stack[i].key)
			}
		}
		return "in the body"
	}
	fail := func(at int, inKey bool, what string) error {
		return badRequest(apperr.Invalid, fmt.Sprintf("body: byte %d, %s: %s", at, where(inKey), what))
	}
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '{' || c == '[':
			stack = append(stack, frame{object: c == '{'})
			prev = c
			i++
		case c == '}' || c == ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			prev = c
			i++
		case c == ',' || c == ':':
			prev = c
			i++
		case c == '"':
			inKey := len(stack) > 0 && stack[len(stack)-1].object && (prev == '{' || prev == ',')
			start := i + 1
			end, err := stringText(body, start, func(at int, what string) error { return fail(at, inKey, what) })
			if err != nil {
				return err
			}
			if inKey {
				stack[len(stack)-1].key = string(body[start:min(end, start+64)])
			}
			prev = '"'
			i = end + 1
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(body[i:])
			if r == utf8.RuneError {
				return fail(i, false, "not valid UTF-8")
			}
			i += n
		}
	}
	return nil
}

// stringText checks the text of a JSON string that starts at body[start] (after its quote) and
// returns the index of its closing quote (len(body) if it has none: the decoder reports that).
func stringText(body []byte, start int, fail func(at int, what string) error) (int, error) {
	const replaced = "holds U+FFFD, the replacement character: bytes that were not UTF-8 were replaced on the way; send the text as UTF-8"
	for i := start; i < len(body); {
		c := body[i]
		switch {
		case c == '"':
			return i, nil
		case c == '\\':
			if i+1 < len(body) && body[i+1] == 'u' {
				cp, ok := hex4(body, i+2)
				if !ok {
					i += 2
					continue
				}
				switch {
				case cp == 0xFFFD:
					return 0, fail(i, replaced)
				case 0xD800 <= cp && cp <= 0xDBFF:
					if lo, ok := hex4(body, i+8); ok && i+7 < len(body) && body[i+6] == '\\' && body[i+7] == 'u' && 0xDC00 <= lo && lo <= 0xDFFF {
						i += 12
						continue
					}
					return 0, fail(i, fmt.Sprintf("\\u%04X is the first half of a surrogate pair without its second: not a character", cp))
				case 0xDC00 <= cp && cp <= 0xDFFF:
					return 0, fail(i, fmt.Sprintf("\\u%04X is the second half of a surrogate pair without its first: not a character", cp))
				}
				i += 6
				continue
			}
			i += 2
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(body[i:])
			switch {
			case r == utf8.RuneError && n <= 1:
				return 0, fail(i, "not valid UTF-8")
			case r == utf8.RuneError:
				return 0, fail(i, replaced)
			}
			i += n
		}
	}
	return len(body), nil
}

// hex4 reads four hexadecimal digits at body[i:].
func hex4(body []byte, i int) (rune, bool) {
	if i < 0 || i+4 > len(body) {
		return 0, false
	}
	var r rune
	for _, c := range body[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

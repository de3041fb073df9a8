package awsapi

import "time"

// TimestampFormat is how IAM and STS answers write times: ISO 8601 in UTC,
// to the second.
const TimestampFormat = "2006-01-02T15:04:05Z"

// Timestamp formats t in TimestampFormat, as t.UTC().Format would, without
// the layout interpreter: STS writes one into every set of credentials.
// Years outside 0–9999 fall back to Format.
func Timestamp(t time.Time) string {
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.Format(TimestampFormat)
	}
	h, mi, s := t.Clock()
	var b [len(TimestampFormat)]byte
	put := func(i, v, width int) {
		for j := i + width - 1; j >= i; j-- {
			b[j] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, y, 4)
	b[4] = '-'
	put(5, int(mo), 2)
	b[7] = '-'
	put(8, d, 2)
	b[10] = 'T'
	put(11, h, 2)
	b[13] = ':'
	put(14, mi, 2)
	b[16] = ':'
	put(17, s, 2)
	b[19] = 'Z'
	return string(b[:])
}

package web

import (
	"strconv"
	"strings"
)

// Num writes a count the way the page's reader expects: thousands separators in English
// (8,600,000); in Chinese, 万 and 亿 for large round figures (860万, 1.2亿) and the same
// separators otherwise.
func (v *View) Num(n any) string { return FormatNum(v.Lang, toInt64(n)) }

// Size writes a size in bytes in MiB (KiB below one MiB, bytes below one KiB), the units
// the product's limits are stated in.
// Below one KiB the unit is written out in Chinese (字节), not as the letter B.
func (v *View) Size(n any) string {
	b := toInt64(n)
	if v.Lang == LangZH && b < 1<<10 {
		return strconv.FormatInt(b, 10) + " 字节"
	}
	return FormatSize(b)
}

func toInt64(n any) int64 {
	switch x := n.(type) {
	case int:
		return int64(x)
	case int64:
		return x
	case int32:
		return int64(x)
	case uint64:
		return int64(x)
	case float64:
		return int64(x)
	}
	return 0
}

// FormatNum formats n for lang (see View.Num).
func FormatNum(lang string, n int64) string {
	if lang == LangZH {
		abs := n
		if abs < 0 {
			abs = -abs
		}
		switch {
		case abs >= 100_000_000 && abs%10_000_000 == 0:
			return strconv.FormatFloat(float64(n)/100_000_000, 'f', -1, 64) + "亿"
		case abs >= 10_000 && abs%1000 == 0:
			return strconv.FormatFloat(float64(n)/10_000, 'f', -1, 64) + "万"
		}
	}
	return group(n)
}

// group writes n with a comma between each group of three digits.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// FormatSize formats a size in bytes (see View.Size).
func FormatSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

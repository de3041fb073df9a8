package server

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

var formCases = []string{
	"",
	"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fdemo&RoleSessionName=bench",
	"a=1&a=2&b=&c&&=x&d=%20+%2b",
	"a=1;b=2",
	"a=%zz",
	"a=%4",
	"%=1",
	"k%41y=v%41lue&K=%e2%82%ac",
	"a=b=c&=&==",
	"x=" + strings.Repeat("y", 100),
	strings.Repeat("p=1&", 40),
	"k0=a&k1=b&k2=c&k3=d&k4=e&k5=f&k6=g&k7=h&k8=i&k9=j&k10=k&k11=l&k12=m&k13=n&k14=o&k15=p&k16=q&k17=r&k18=s&k3=again&k17=again&k0=%41",
}

// TestParseFormMatchesParseQuery: parseForm gives url.ParseQuery's values,
// in order, and refuses what it refuses.
func TestParseFormMatchesParseQuery(t *testing.T) {
	for _, c := range formCases {
		checkForm(t, c)
	}
	// url.ParseQuery's limit on the number of pairs.
	checkForm(t, strings.Repeat("&", maxFormParams-1))
	checkForm(t, strings.Repeat("&", maxFormParams))
}

func checkForm(t *testing.T, s string) {
	t.Helper()
	want, werr := url.ParseQuery(s)
	got, gerr := parseForm([]byte(s))
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%.60q: parseForm error %v, url.ParseQuery error %v", s, gerr, werr)
	}
	if werr != nil {
		return
	}
	if got == nil {
		t.Fatalf("%.60q: parseForm returned a nil map", s) // the query-string merge writes into it
	}
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%.60q: parseForm %v, url.ParseQuery %v", s, got, want)
	}
}

// TestParseFormValuesIndependent: appending to one key's values does not
// change another's, though they share one array.
func TestParseFormValuesIndependent(t *testing.T) {
	f, err := parseForm([]byte("a=1&b=2&c=3"))
	if err != nil {
		t.Fatal(err)
	}
	f["a"] = append(f["a"], "x")
	if f.Get("b") != "2" || len(f["b"]) != 1 || f.Get("c") != "3" {
		t.Fatalf("appending to a changed its neighbours: %v", f)
	}
}

func FuzzParseForm(f *testing.F) {
	for _, c := range formCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) { checkForm(t, s) })
}

// formSink keeps the benchmarks' forms on the heap, as a request's are.
var formSink url.Values

func BenchmarkParseForm(b *testing.B) {
	body := []byte(formCases[1])
	b.Run("parseForm", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f, err := parseForm(body)
			if err != nil {
				b.Fatal(err)
			}
			formSink = f
		}
	})
	b.Run("url.ParseQuery", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f, err := url.ParseQuery(string(body))
			if err != nil {
				b.Fatal(err)
			}
			formSink = f
		}
	})
}

package faketb

import (
	"strings"
	"sync"
	"testing"
)

func TestPassingFunctionIsNotFailed(t *testing.T) {
	r := Run(t, "ok", func(tb testing.TB) { tb.Logf("hello %d", 1) })
	if r.Failed() || r.Skipped() || r.Panicked() != "" {
		t.Fatalf("failed=%v skipped=%v panic=%q", r.Failed(), r.Skipped(), r.Panicked())
	}
	if got := r.Messages(); len(got) != 1 || got[0] != "hello 1" {
		t.Fatalf("messages %q", got)
	}
	if r.Name() != t.Name()+"/ok" {
		t.Fatalf("name %q", r.Name())
	}
}

func TestErrorContinuesFatalStops(t *testing.T) {
	reached := []string{}
	r := Run(t, "fatal", func(tb testing.TB) {
		tb.Errorf("first %s", "error")
		reached = append(reached, "after Errorf")
		tb.Fatal("stop")
		reached = append(reached, "after Fatal")
	})
	if !r.Failed() || r.Panicked() != "" {
		t.Fatalf("failed=%v panic=%q", r.Failed(), r.Panicked())
	}
	if strings.Join(reached, ",") != "after Errorf" {
		t.Fatalf("reached %q", reached)
	}
	if got := r.Report(); !strings.Contains(got, "first error") || !strings.Contains(got, "stop") {
		t.Fatalf("report %q", got)
	}
}

func TestEveryFailingMethodFails(t *testing.T) {
	for name, fn := range map[string]func(testing.TB){
		"Error":   func(tb testing.TB) { tb.Error("x") },
		"Errorf":  func(tb testing.TB) { tb.Errorf("x") },
		"Fail":    func(tb testing.TB) { tb.Fail() },
		"FailNow": func(tb testing.TB) { tb.FailNow() },
		"Fatal":   func(tb testing.TB) { tb.Fatal("x") },
		"Fatalf":  func(tb testing.TB) { tb.Fatalf("x") },
	} {
		if r := Run(t, name, fn); !r.Failed() {
			t.Errorf("%s did not fail", name)
		}
	}
}

func TestSkipStopsWithoutFailing(t *testing.T) {
	after := false
	r := Run(t, "skip", func(tb testing.TB) {
		tb.Skip("not here")
		after = true
	})
	if r.Failed() || !r.Skipped() || after {
		t.Fatalf("failed=%v skipped=%v ran on=%v", r.Failed(), r.Skipped(), after)
	}
}

func TestPanicIsRecordedAsFailure(t *testing.T) {
	r := Run(t, "panic", func(tb testing.TB) { panic("boom") })
	if !r.Failed() || !strings.HasPrefix(r.Panicked(), "boom") {
		t.Fatalf("failed=%v panic=%q", r.Failed(), r.Panicked())
	}
}

func TestCleanupsRunLastFirstEvenAfterFatal(t *testing.T) {
	var order []int
	Run(t, "cleanup", func(tb testing.TB) {
		tb.Cleanup(func() { order = append(order, 1) })
		tb.Cleanup(func() { order = append(order, 2) })
		tb.Fatal("stop")
	})
	if len(order) != 2 || order[0] != 2 || order[1] != 1 {
		t.Fatalf("cleanup order %v", order)
	}
}

func TestConcurrentErrors(t *testing.T) {
	r := Run(t, "concurrent", func(tb testing.TB) {
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tb.Errorf("from %d", i)
			}()
		}
		wg.Wait()
	})
	if !r.Failed() || len(r.Messages()) != 8 {
		t.Fatalf("failed=%v messages=%d", r.Failed(), len(r.Messages()))
	}
}

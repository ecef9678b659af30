// Command letters measures the letters of participatory budgeting: a
// register of n residents is uploaded (ImportRegister) and its letters
// written as one PDF (WriteLetters) and as a mail-merge CSV
// (WriteMailMerge) to a counting sink, with the wall time and the peak Go
// heap (sampled every 2 ms: the heap in use, garbage included, and the
// live heap after the last collection) of each step. Run it at 5,000 and at 50,000 to
// see that the heap of the letters does not grow with the number of
// residents.
//
//	go run ./bench/budget/letters -n 50000            # temporary SQLite file
//	go run ./bench/budget/letters -n 50000 -db postgres://…/x?sslmode=disable
//	go run ./bench/budget/letters -n 5000 -fpdf       # fpdf instead, for contrast
//
// The register's BSNs are made up: numbers from 999000000 up that pass
// the 11-test (the range of the test numbers), never real ones.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-pdf/fpdf"

	"inspraak/internal/budget"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/store"
)

func main() {
	n := flag.Int("n", 50000, "residents in the register")
	dbURL := flag.String("db", "", "database URL of an empty database (default: a temporary SQLite file)")
	useFpdf := flag.Bool("fpdf", false, "only measure the same pages written with fpdf (which holds the document in memory)")
	flag.Parse()
	if *useFpdf {
		measure("fpdf letters", func() (int64, error) { return fpdfLetters(*n) })
		return
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "inspraak-letters-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	if *dbURL == "" {
		*dbURL = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	db, err := store.Open(ctx, store.Options{URL: *dbURL, MaxOpenConns: 4})
	if err != nil {
		fail(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		fail(err)
	}
	id := seed(ctx, db)
	file := filepath.Join(dir, "register.csv")
	writeRegister(file, *n)
	st, _ := os.Stat(file)
	fmt.Printf("register: %d residents, %.1f MB CSV, %s\n", *n, float64(st.Size())/1e6, db.Dialector.Name())

	svc := budget.NewService(db, []byte("bench-pseudonym-key-0123456789-0123456789"))
	wijken, _ := identity.ParseWijkTable(strings.NewReader("postcode;wijk\n1234;Noord\n"))
	svc.SetChannels(budget.ChannelOptions{Municipality: "Gemeente Voorbeeld", CodeURL: "https://inspraak.voorbeeld.nl" + budget.CodePath, Wijken: wijken})
	editor := identity.SystemActor("bench")

	measure("import", func() (int64, error) {
		f, err := os.Open(file)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		rep, err := svc.ImportRegister(ctx, editor, id, f)
		if err == nil && rep.Added != *n {
			err = fmt.Errorf("added %d of %d (refused %d)", rep.Added, *n, rep.Refused)
		}
		return st.Size(), err
	})
	for _, out := range []struct {
		name  string
		write func(context.Context, identity.Actor, int64, io.Reader, io.Writer) error
	}{{"letters PDF", svc.WriteLetters}, {"mail merge CSV", svc.WriteMailMerge}} {
		measure(out.name, func() (int64, error) {
			f, err := os.Open(file)
			if err != nil {
				return 0, err
			}
			defer f.Close()
			var sink counter
			err = out.write(ctx, editor, id, f, &sink)
			return sink.n, err
		})
	}
}

// measure runs step and prints its wall time, output size and peak heap.
func measure(name string, step func() (int64, error)) {
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak, peakLive atomic.Uint64
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			metrics.Read(live)
			if v := live[0].Value.Uint64(); v > peakLive.Load() {
				peakLive.Store(v)
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	size, err := step()
	wall := time.Since(start)
	close(done)
	wg.Wait()
	if err != nil {
		fail(fmt.Errorf("%s: %w", name, err))
	}
	fmt.Printf("RESULT %-15s wall=%6.2fs peak_heap=%6.1fMB peak_live_heap=%5.1fMB (before %.1fMB) bytes=%.1fMB\n", name, wall.Seconds(),
		float64(peak.Load())/1e6, float64(peakLive.Load())/1e6, float64(base.HeapAlloc)/1e6, float64(size)/1e6)
}

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// seed makes a published project with an open budget.
func seed(ctx context.Context, db *store.DB) int64 {
	p, err := project.NewService(db).Create(ctx, identity.SystemActor("bench"), project.Draft{Slug: "brieven", Title: "Brieven", Summary: "Meting."})
	if err != nil {
		fail(err)
	}
	now := time.Now().UTC()
	closes := now.Add(30 * 24 * time.Hour)
	in := instrument.NewRow(instrument.Header{ProjectID: p.ID, Kind: instrument.KindBudget, Slug: "wijkbudget", Title: "Wijkbudget 2027", Published: true},
		instrument.Instrument{ClosesAt: &closes}, now)
	if err := db.WithContext(ctx).Create(&in).Error; err != nil {
		fail(err)
	}
	b := budget.Budget{InstrumentID: in.ID, Method: budget.MethodKnapsack, Rule: budget.RuleGreedy, WijkSource: budget.WijkBRP}
	if err := db.WithContext(ctx).Create(&b).Error; err != nil {
		fail(err)
	}
	if err := db.WithContext(ctx).Create(&budget.Area{InstrumentID: in.ID, Amount: 10_000_000}).Error; err != nil {
		fail(err)
	}
	return in.ID
}

// writeRegister writes n made-up residents with BSNs from 999000000 up
// that pass the 11-test.
func writeRegister(path string, n int) {
	f, err := os.Create(path)
	if err != nil {
		fail(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "BSN;Voorletters;Voorvoegsel;Geslachtsnaam;Straatnaam;Huisnummer;Postcode;Woonplaats")
	bsn := 999000000
	for i := 0; i < n; i++ {
		for !elfproef(bsn) {
			bsn++
		}
		fmt.Fprintf(w, "%d;J.;van der;Bewoner-Zoë %d;Kerkstraat;%d;1234 AB;Ons Dorp\n", bsn, i, i%300+1)
		bsn++
	}
	if err := w.Flush(); err != nil {
		fail(err)
	}
	if err := f.Close(); err != nil {
		fail(err)
	}
}

func elfproef(n int) bool { return identity.ValidBSN(strconv.Itoa(n)) }

// fpdfLetters writes comparable pages with fpdf to a counting sink.
func fpdfLetters(n int) (int64, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	for i := 0; i < n; i++ {
		pdf.AddPage()
		pdf.SetFont("Helvetica", "B", 14)
		pdf.Text(22, 22, "Gemeente Voorbeeld")
		pdf.SetFont("Helvetica", "", 11)
		pdf.Text(22, 52, tr("J. van der Bewoner-Zoë "+strconv.Itoa(i)))
		pdf.Text(22, 57, "Kerkstraat 1")
		pdf.Text(22, 62, "1234 AB  ONS DORP")
		for j := 0; j < 16; j++ {
			pdf.Text(22, float64(110+j*6), tr("De gemeente wil geld uitgeven aan plannen voor uw buurt. U mag meebeslissen: één keer."))
		}
		pdf.SetFont("Helvetica", "B", 28)
		pdf.Text(28, 230, "ABCD-EFGH-"+strconv.Itoa(1000+i%9000))
	}
	var sink counter
	err := pdf.Output(&sink)
	return sink.n, err
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "letters:", err)
	os.Exit(1)
}

package buildinfo

import (
	"bytes"
	"strings"
	"testing"
)

// A build without VCS information (CI's -buildvcs=false, a docker build
// context without .git) still says its commit when the build stamps it.
func TestStampedRevisionIsTheCommit(t *testing.T) {
	old := Revision
	t.Cleanup(func() { Revision = old })
	Revision = "0123456789abcdef0123456789abcdef01234567"
	var out bytes.Buffer
	if err := Write(&out, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\ncommit 0123456789abcdef0123456789abcdef01234567\n") {
		t.Errorf("version says:\n%s", out.String())
	}
}

package consumer

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
)

func TestRecover(t *testing.T) {
	tests := []struct {
		name       string
		handler    Handler
		wantOuts   int
		wantErr    string // substring; empty means no error
		permanent  bool
		wantLogged bool
	}{
		{"passes success through", func(context.Context, Message) ([]Output, error) {
			return []Output{{Topic: "t"}}, nil
		}, 1, "", false, false},
		{"passes errors through untouched", func(context.Context, Message) ([]Output, error) {
			return nil, errors.New("transient")
		}, 0, "transient", false, false},
		{"string panic", func(context.Context, Message) ([]Output, error) {
			panic("nil map somewhere")
		}, 0, "panic: nil map somewhere", true, true},
		{"error panic", func(context.Context, Message) ([]Output, error) {
			panic(errors.New("assignment to entry in nil map"))
		}, 0, "assignment to entry in nil map", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, _, hook := loggedCtx()
			outs, err := Recover()(tc.handler)(ctx, testMessage(t, "r", nil))
			if len(outs) != tc.wantOuts {
				t.Fatalf("outputs = %v", outs)
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
			}
			if IsPermanent(err) != tc.permanent {
				t.Fatalf("IsPermanent = %v, want %v", IsPermanent(err), tc.permanent)
			}
			logged := entriesAt(hook, logrus.ErrorLevel)
			if tc.wantLogged != (len(logged) == 1) {
				t.Fatalf("error log lines = %d", len(logged))
			}
			if tc.wantLogged {
				stack, _ := logged[0].Data["stack"].(string)
				if !strings.Contains(stack, "recover_test.go") {
					t.Fatalf("stack field does not point at the panic: %q", stack)
				}
			}
		})
	}
}

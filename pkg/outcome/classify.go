package outcome

import (
	"errors"

	"provision.local/pkg/ledger"
)

// A Rule recognises an error that fails a command for good and says how: nil when it does not
// apply.
type Rule func(err error) *ledger.Failure

// Is fails a command whose error wraps target, with code and title; the details are the error's
// message.
func Is(target error, code, title string) Rule {
	return func(err error) *ledger.Failure {
		if !errors.Is(err, target) {
			return nil
		}
		return &ledger.Failure{Code: code, Title: title, Details: err.Error()}
	}
}

// As fails a command whose error wraps an E, with code and title; the details are that E's
// message.
func As[E error](code, title string) Rule {
	return func(err error) *ledger.Failure {
		var target E
		if !errors.As(err, &target) {
			return nil
		}
		return &ledger.Failure{Code: code, Title: title, Details: target.Error()}
	}
}

// Classifier returns a Config.Classify: a *ledger.Failure in the error's chain is that failure;
// otherwise the first rule that applies decides; an error no rule recognises is worth retrying
// (the store, a partner that is unreachable or overloaded) and gets nil.
func Classifier(rules ...Rule) func(error) *ledger.Failure {
	return func(err error) *ledger.Failure {
		var f *ledger.Failure
		if errors.As(err, &f) {
			return f
		}
		for _, r := range rules {
			if f := r(err); f != nil {
				return f
			}
		}
		return nil
	}
}

package main

import (
	"fmt"

	"github.com/mmoauth/mmoauth/models"
)

// releaseFlag is --mattermost-version: a release the rule book knows
// (models.ReleaseOldestKnown to models.ReleaseNewestKnown), as MAJOR.MINOR.
type releaseFlag struct{ r *models.Release }

func (f releaseFlag) String() string {
	if f.r == nil || f.r.IsZero() {
		return models.ReleaseNewestKnown.String()
	}
	return f.r.String()
}

func (f releaseFlag) Set(s string) error {
	r, err := models.ParseRelease(s)
	if err != nil {
		return err
	}
	if r.Before(models.ReleaseOldestKnown) || models.ReleaseNewestKnown.Before(r) {
		return fmt.Errorf("%s is outside the releases the rule book knows (%s to %s)", r, models.ReleaseOldestKnown, models.ReleaseNewestKnown)
	}
	*f.r = r
	return nil
}

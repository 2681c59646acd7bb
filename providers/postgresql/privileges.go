package main

import (
	"fmt"
	"sort"
	"strings"
)

// grantable is what PostgreSQL lets one GRANT on each object type (GRANT's own table).
var grantable = map[string][]string{
	"database": {"CONNECT", "CREATE", "TEMPORARY"},
	"schema":   {"CREATE", "USAGE"},
	"table":    {"DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE"},
	"sequence": {"SELECT", "UPDATE", "USAGE"},
	"function": {"EXECUTE"},
	"type":     {"USAGE"},
}

// normalizePrivileges upper-cases, spells TEMP as TEMPORARY, expands ALL to the object type's
// full list (what a refresh reads back), sorts and de-duplicates. Anything PostgreSQL would not
// accept for the object type, such as a word with `;` in it, is an error naming it: privileges go
// into the GRANT statement as they are.
func normalizePrivileges(objectType string, ps []string) ([]string, error) {
	allowed, ok := grantable[objectType]
	if !ok {
		return nil, fmt.Errorf("objectType %q has no privileges this build knows", objectType)
	}
	set := map[string]bool{}
	for _, p := range ps {
		word := strings.ToUpper(strings.TrimSpace(p))
		switch word {
		case "TEMP":
			word = "TEMPORARY"
		case "ALL", "ALL PRIVILEGES":
			for _, a := range allowed {
				set[a] = true
			}
			continue
		}
		if !contains(allowed, word) {
			return nil, fmt.Errorf("privilege %q is not one of %s on a %s (or ALL)", p, strings.Join(allowed, ", "), objectType)
		}
		set[word] = true
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// common: privileges held on every object.
func common(perObject map[string]map[string]bool) []string {
	out := []string{}
	counts := map[string]int{}
	for _, privs := range perObject {
		for p := range privs {
			counts[p]++
		}
	}
	for p, n := range counts {
		if n == len(perObject) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

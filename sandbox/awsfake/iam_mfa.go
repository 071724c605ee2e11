package awsfake

import (
	"slices"
	"strings"
	"time"
)

// virtualMFADevice is one entry of ListVirtualMFADevices. user is nil for an unassigned device;
// root is set when the root user holds it.
type virtualMFADevice struct {
	serial  string
	enabled time.Time
	user    *User
	root    bool
}

// virtualMFADevices returns the account's virtual MFA devices in serial order: users' devices
// whose serial is a virtual device ARN, the root's virtual device, and the unassigned ones.
// Built per request: accounts have at most a few thousand devices and write calls change them.
func (x *acct) virtualMFADevices(assigned, unassigned bool) []virtualMFADevice {
	var out []virtualMFADevice
	if assigned {
		for _, u := range x.users.items {
			for _, serial := range u.MFADevices {
				if isVirtualMFASerial(serial) {
					out = append(out, virtualMFADevice{serial: serial, enabled: u.Created, user: u})
				}
			}
		}
		if r := x.a.Root; r.MFA && r.VirtualMFA {
			out = append(out, virtualMFADevice{serial: RootMFASerial(x.a.ID), enabled: r.Created, root: true})
		}
	}
	if unassigned {
		for _, serial := range x.a.UnassignedMFADevices {
			out = append(out, virtualMFADevice{serial: serial})
		}
	}
	slices.SortFunc(out, func(a, b virtualMFADevice) int { return strings.Compare(a.serial, b.serial) })
	return out
}

// ListVirtualMFADevices lists by AssignmentStatus (Assigned, Unassigned or Any, the default),
// MaxItems per page, resuming at the serial number the Marker names. Assigned devices carry
// their user (for the root: the account ID as UserId and the root ARN) and enable date.
func (s *Server) listVirtualMFADevices(req *request, x *acct, w *xmlWriter) error {
	status := req.form.Get("AssignmentStatus")
	var assigned, unassigned bool
	switch status {
	case "", "Any":
		assigned, unassigned = true, true
	case "Assigned":
		assigned = true
	case "Unassigned":
		unassigned = true
	default:
		return validationError("1 validation error detected: Value '%s' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Assigned, Unassigned, Any]", status)
	}
	limit, err := maxItems(req)
	if err != nil {
		return err
	}
	_, key, err := decodeMarker(req)
	if err != nil {
		return err
	}
	devices := x.virtualMFADevices(assigned, unassigned)
	start, _ := slices.BinarySearchFunc(devices, key, func(d virtualMFADevice, k string) int { return strings.Compare(d.serial, k) })
	end := min(start+limit, len(devices))
	w.open("VirtualMFADevices")
	for _, d := range devices[start:end] {
		w.open("member")
		w.text("SerialNumber", d.serial)
		switch {
		case d.root:
			w.open("User")
			w.text("UserId", x.a.ID)
			w.text("Arn", RootARN(x.a.ID))
			w.time("CreateDate", x.a.Root.Created)
			w.time("PasswordLastUsed", x.a.Root.PasswordLastUsed)
			w.close("User")
		case d.user != nil:
			u := d.user
			w.open("User")
			w.text("Path", u.Path)
			w.text("UserName", u.Name)
			w.text("UserId", u.UserID)
			w.text("Arn", UserARN(x.a.ID, u.Path, u.Name))
			w.time("CreateDate", u.Created)
			w.time("PasswordLastUsed", u.PasswordLastUsed)
			w.close("User")
		}
		w.time("EnableDate", d.enabled)
		w.close("member")
	}
	w.close("VirtualMFADevices")
	next := ""
	if end < len(devices) {
		next = devices[end].serial
	}
	w.page(req.op, end < len(devices), 0, next)
	return nil
}

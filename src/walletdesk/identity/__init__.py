"""Users, staff, roles, passwords, two-factor, sessions, devices and the access doors."""

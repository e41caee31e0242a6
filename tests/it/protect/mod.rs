//! Protecting pause reasons and mentor rows (issue 10): privileges, guards, side channels,
//! error messages, temporary objects, existing clients and the migration that did it.

mod client_privileges;
mod compat_select_star;
mod label_guard;
mod migration;
mod no_echo;
mod reason_side_channels;
mod temp_objects;

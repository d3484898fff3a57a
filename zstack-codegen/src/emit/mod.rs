//! One small struct per emitted construct, each implementing `ToTokens`.

pub mod any_enum;
pub mod api_doc;
pub mod client;
pub mod doc;
pub mod file;
pub mod inventory;
pub mod print;
pub mod reply;
pub mod request;
pub mod setters;
pub mod string_enum;

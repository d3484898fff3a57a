//! What the send path needs of a request, whichever kind it is: a typed
//! [`ApiRequest`], or a [`DynamicRequest`] (wrapped in [`Dynamic`]). A leaf:
//! it depends on the runtime only, so `send.rs` and `version.rs` can both use
//! it without importing each other.

use zstack_runtime::dynamic::DynamicRequest;
use zstack_runtime::request::{ApiRequest, InvalidRequest, Route, WireRequest};

/// A request on the send path.
pub(crate) trait Outgoing {
    fn route(&self) -> Route;
    /// Whether the reply's `schema` map picks variants of the declared types.
    fn polymorphic(&self) -> bool;
    fn wire(&self) -> Result<WireRequest, InvalidRequest>;
    /// Params set that came in a later release than the API.
    fn versioned_params(&self, visit: &mut dyn FnMut(&'static str, &'static str));
}

impl<R: ApiRequest> Outgoing for R {
    fn route(&self) -> Route {
        R::ROUTE
    }

    fn polymorphic(&self) -> bool {
        R::POLYMORPHIC
    }

    fn wire(&self) -> Result<WireRequest, InvalidRequest> {
        self.to_wire()
    }

    fn versioned_params(&self, visit: &mut dyn FnMut(&'static str, &'static str)) {
        ApiRequest::versioned_params(self, visit);
    }
}

/// A [`DynamicRequest`] on the send path: decoded as plain JSON, so no
/// schema work.
pub(crate) struct Dynamic<'a>(pub(crate) &'a DynamicRequest);

impl Outgoing for Dynamic<'_> {
    fn route(&self) -> Route {
        *self.0.route()
    }

    fn polymorphic(&self) -> bool {
        false
    }

    fn wire(&self) -> Result<WireRequest, InvalidRequest> {
        self.0.to_wire()
    }

    fn versioned_params(&self, _visit: &mut dyn FnMut(&'static str, &'static str)) {}
}

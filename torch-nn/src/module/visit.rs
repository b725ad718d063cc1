//! `Visit`: how a field of a module reports itself to `Module::visit`. Parameters report as
//! parameters, modules as children, `Vec`/`Option` pass through, configuration values report
//! nothing. `VisitBuffer` does the same for `#[buffer]` fields.

use torch_core::{DType, Tensor};

use super::{Member, MemberMut, Module, ModuleBase};
use crate::Parameter;

/// A field type that `#[derive(Module)]` can visit.
pub trait Visit {
    /// Reports this field's members under `name`.
    fn visit_field<'a>(&'a self, name: &str, f: &mut dyn FnMut(&str, Member<'a>));
    /// Reports this field's members mutably.
    fn visit_field_mut(&mut self, name: &str, f: &mut dyn FnMut(&str, MemberMut<'_>));
}

impl<M: Module> Visit for M {
    fn visit_field<'a>(&'a self, name: &str, f: &mut dyn FnMut(&str, Member<'a>)) {
        f(name, Member::Child(self))
    }
    fn visit_field_mut(&mut self, name: &str, f: &mut dyn FnMut(&str, MemberMut<'_>)) {
        f(name, MemberMut::Child(self))
    }
}

impl Visit for Parameter {
    fn visit_field<'a>(&'a self, name: &str, f: &mut dyn FnMut(&str, Member<'a>)) {
        f(name, Member::Parameter(self))
    }
    fn visit_field_mut(&mut self, name: &str, f: &mut dyn FnMut(&str, MemberMut<'_>)) {
        f(name, MemberMut::Parameter(self))
    }
}

impl Visit for ModuleBase {
    fn visit_field<'a>(&'a self, name: &str, f: &mut dyn FnMut(&str, Member<'a>)) {
        f(name, Member::Base(self))
    }
    fn visit_field_mut(&mut self, name: &str, f: &mut dyn FnMut(&str, MemberMut<'_>)) {
        f(name, MemberMut::Base(self))
    }
}

/// An absent member (a bias-free layer's `bias`, a block without `downsample`) reports nothing.
impl<T: Visit> Visit for Option<T> {
    fn visit_field<'a>(&'a self, name: &str, f: &mut dyn FnMut(&str, Member<'a>)) {
        if let Some(x) = self {
            x.visit_field(name, f)
        }
    }
    fn visit_field_mut(&mut self, name: &str, f: &mut dyn FnMut(&str, MemberMut<'_>)) {
        if let Some(x) = self {
            x.visit_field_mut(name, f)
        }
    }
}

/// A `Vec` of modules is a `ModuleList` child (`layer1.0.conv1.weight`).
impl<M: Module> Module for Vec<M> {
    fn visit<'a>(&'a self, f: &mut dyn FnMut(&str, Member<'a>)) {
        for (i, m) in self.iter().enumerate() {
            f(&i.to_string(), Member::Child(m));
        }
    }
    fn visit_mut(&mut self, f: &mut dyn FnMut(&str, MemberMut<'_>)) {
        for (i, m) in self.iter_mut().enumerate() {
            f(&i.to_string(), MemberMut::Child(m));
        }
    }
    fn type_name(&self) -> &str {
        "ModuleList"
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn as_module(&self) -> &dyn Module {
        self
    }
}

/// Configuration fields: nothing to report.
macro_rules! visit_nothing {
    ($($t:ty),* $(,)?) => {$(
        impl Visit for $t {
            fn visit_field<'a>(&'a self, _: &str, _: &mut dyn FnMut(&str, Member<'a>)) {}
            fn visit_field_mut(&mut self, _: &str, _: &mut dyn FnMut(&str, MemberMut<'_>)) {}
        }
    )*};
}

visit_nothing!(
    bool,
    usize,
    isize,
    u8,
    u32,
    u64,
    i32,
    i64,
    f32,
    f64,
    String,
    &'static str,
    DType,
    Vec<usize>,
    Vec<i64>,
    Vec<f64>,
    (usize, usize),
    (usize, usize, usize),
    (f64, f64),
    [usize; 1],
    [usize; 2],
    [usize; 3],
    Tensor,
);

/// A `#[buffer]` field: a `Tensor`, or an `Option<Tensor>` that is absent when the buffer is
/// registered as `None` (BatchNorm without `track_running_stats`).
pub trait VisitBuffer {
    /// Reports the buffer.
    fn visit_buffer<'a>(
        &'a self,
        name: &str,
        persistent: bool,
        f: &mut dyn FnMut(&str, Member<'a>),
    );
    /// Reports the buffer mutably.
    fn visit_buffer_mut(
        &mut self,
        name: &str,
        persistent: bool,
        f: &mut dyn FnMut(&str, MemberMut<'_>),
    );
}

impl VisitBuffer for Tensor {
    fn visit_buffer<'a>(
        &'a self,
        name: &str,
        persistent: bool,
        f: &mut dyn FnMut(&str, Member<'a>),
    ) {
        f(name, Member::Buffer(self, persistent))
    }
    fn visit_buffer_mut(
        &mut self,
        name: &str,
        persistent: bool,
        f: &mut dyn FnMut(&str, MemberMut<'_>),
    ) {
        f(name, MemberMut::Buffer(self, persistent))
    }
}

impl VisitBuffer for Option<Tensor> {
    fn visit_buffer<'a>(
        &'a self,
        name: &str,
        persistent: bool,
        f: &mut dyn FnMut(&str, Member<'a>),
    ) {
        if let Some(t) = self {
            f(name, Member::Buffer(t, persistent))
        }
    }
    fn visit_buffer_mut(
        &mut self,
        name: &str,
        persistent: bool,
        f: &mut dyn FnMut(&str, MemberMut<'_>),
    ) {
        if let Some(t) = self {
            f(name, MemberMut::Buffer(t, persistent))
        }
    }
}

//! Containers: `Sequential`, `ModuleList`, `ModuleDict` (torch.nn's), whose children are named
//! by position (`0.weight`) or by key (`conv.weight`).

use std::any::Any;

use torch_core::{Result, Tensor};

use crate::{Forward, Member, MemberMut, Module, ModuleBase};

/// Runs its layers in order, as `nn.Sequential`. Children are named `0`, `1`, ... unless
/// built with [`Sequential::named`] (PyTorch's `OrderedDict` form).
///
/// ```
/// use torch_nn::{Forward, Linear, Module, ReLU, Sequential};
/// let net = Sequential::new().append(Linear::new(4, 8)?).append(ReLU::new()).append(Linear::new(8, 2)?);
/// let y = net.call(&torch_core::Tensor::randn(&[3, 4], Default::default())?)?;
/// assert_eq!(y.shape(), &[3, 2]);
/// assert_eq!(net.named_parameters()[2].0, "2.weight");
/// # Ok::<(), torch_core::Error>(())
/// ```
#[derive(Default)]
pub struct Sequential {
    base: ModuleBase,
    layers: Vec<(String, Box<dyn Forward>)>,
}

impl Sequential {
    /// An empty `Sequential`.
    pub fn new() -> Sequential {
        Sequential::default()
    }

    /// Appends a layer named by its position and returns the container, as `append`.
    pub fn append(mut self, layer: impl Forward) -> Sequential {
        self.push(layer);
        self
    }

    /// Appends a layer named by its position, in place.
    pub fn push(&mut self, layer: impl Forward) {
        let name = self.layers.len().to_string();
        self.layers.push((name, Box::new(layer)));
    }

    /// A `Sequential` with named layers, as `nn.Sequential(OrderedDict(...))`.
    pub fn named(layers: Vec<(String, Box<dyn Forward>)>) -> Sequential {
        Sequential {
            base: ModuleBase::default(),
            layers,
        }
    }

    /// Number of layers.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// Whether there are no layers.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Layer `i`, as `seq[i]`.
    pub fn get(&self, i: usize) -> Option<&dyn Forward> {
        self.layers.get(i).map(|(_, l)| &**l)
    }
}

impl Module for Sequential {
    fn visit<'a>(&'a self, f: &mut dyn FnMut(&str, Member<'a>)) {
        f("", Member::Base(&self.base));
        for (name, l) in &self.layers {
            f(name, Member::Child(l.as_module()));
        }
    }
    fn visit_mut(&mut self, f: &mut dyn FnMut(&str, MemberMut<'_>)) {
        f("", MemberMut::Base(&mut self.base));
        for (name, l) in &mut self.layers {
            f(name, MemberMut::Child(l));
        }
    }
    fn type_name(&self) -> &str {
        "Sequential"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_module(&self) -> &dyn Module {
        self
    }
}

impl Forward for Sequential {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut x = x.clone();
        for (_, l) in &self.layers {
            x = l.call(&x)?;
        }
        Ok(x)
    }
}

impl std::fmt::Display for Sequential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::fmt_module(self, f)
    }
}

/// A list of modules, as `nn.ModuleList`; children are named `0`, `1`, .... Holds one module
/// type `M`; the default, `Box<dyn Forward>`, holds any single-input layers.
pub struct ModuleList<M: Module = Box<dyn Forward>> {
    base: ModuleBase,
    items: Vec<M>,
}

impl<M: Module> Default for ModuleList<M> {
    fn default() -> Self {
        ModuleList {
            base: ModuleBase::default(),
            items: Vec::new(),
        }
    }
}

impl<M: Module> ModuleList<M> {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a module, as `append`.
    pub fn push(&mut self, m: M) {
        self.items.push(m);
    }

    /// The modules.
    pub fn iter(&self) -> std::slice::Iter<'_, M> {
        self.items.iter()
    }

    /// Number of modules.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Module `i`, as `list[i]`.
    pub fn get(&self, i: usize) -> Option<&M> {
        self.items.get(i)
    }
}

impl<M: Module> FromIterator<M> for ModuleList<M> {
    fn from_iter<I: IntoIterator<Item = M>>(iter: I) -> Self {
        ModuleList {
            base: ModuleBase::default(),
            items: iter.into_iter().collect(),
        }
    }
}

impl<M: Module> Module for ModuleList<M> {
    fn visit<'a>(&'a self, f: &mut dyn FnMut(&str, Member<'a>)) {
        f("", Member::Base(&self.base));
        for (i, m) in self.items.iter().enumerate() {
            f(&i.to_string(), Member::Child(m.as_module()));
        }
    }
    fn visit_mut(&mut self, f: &mut dyn FnMut(&str, MemberMut<'_>)) {
        f("", MemberMut::Base(&mut self.base));
        for (i, m) in self.items.iter_mut().enumerate() {
            f(&i.to_string(), MemberMut::Child(m));
        }
    }
    fn type_name(&self) -> &str {
        "ModuleList"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_module(&self) -> &dyn Module {
        self
    }
}

/// Modules under string keys in insertion order, as `nn.ModuleDict`.
pub struct ModuleDict<M: Module = Box<dyn Forward>> {
    base: ModuleBase,
    items: Vec<(String, M)>,
}

impl<M: Module> Default for ModuleDict<M> {
    fn default() -> Self {
        ModuleDict {
            base: ModuleBase::default(),
            items: Vec::new(),
        }
    }
}

impl<M: Module> ModuleDict<M> {
    /// An empty dict.
    pub fn new() -> Self {
        Self::default()
    }

    /// Inserts or replaces the module under `key`.
    pub fn insert(&mut self, key: impl Into<String>, m: M) {
        let key = key.into();
        match self.items.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = m,
            None => self.items.push((key, m)),
        }
    }

    /// The module under `key`, as `dict[key]`.
    pub fn get(&self, key: &str) -> Option<&M> {
        self.items.iter().find(|(k, _)| k == key).map(|(_, m)| m)
    }

    /// The keys, in insertion order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|(k, _)| k.as_str())
    }

    /// Number of modules.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the dict is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<M: Module> Module for ModuleDict<M> {
    fn visit<'a>(&'a self, f: &mut dyn FnMut(&str, Member<'a>)) {
        f("", Member::Base(&self.base));
        for (k, m) in &self.items {
            f(k, Member::Child(m.as_module()));
        }
    }
    fn visit_mut(&mut self, f: &mut dyn FnMut(&str, MemberMut<'_>)) {
        f("", MemberMut::Base(&mut self.base));
        for (k, m) in &mut self.items {
            f(k, MemberMut::Child(m));
        }
    }
    fn type_name(&self) -> &str {
        "ModuleDict"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_module(&self) -> &dyn Module {
        self
    }
}

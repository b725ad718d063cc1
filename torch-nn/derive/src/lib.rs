//! `#[derive(Module)]`: generates `torch_nn::Module` for a struct with named fields, so no
//! module hand-writes its parameter list (DESIGN "Modules").
//!
//! It also implements `Display` as PyTorch's module repr. Every field is visited in declaration order under its own name (the state-dict key
//! segment): `Parameter` fields are parameters, fields whose type is a module are children,
//! `Vec`/`Option` of those nest, plain configuration (`usize`, `f64`, `bool`, ...) is skipped
//! by its `Visit` impl. Attributes:
//! - `#[buffer]` / `#[buffer(persistent = false)]` on a `Tensor` or `Option<Tensor>` field;
//! - `#[module(skip)]` on a field whose type has no `Visit` impl (closures, custom enums);
//! - `#[module(flatten)]` on a module field whose members belong to this module directly
//!   (no name segment), for wrappers that share one implementation;
//! - `#[module(repr)]` on the struct: `Display` shows `self.extra_repr()` (an inherent method);
//! - `#[module(name = "Conv2d")]` on the struct: the name `Display` prints (default: the
//!   struct's name).

use proc_macro::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, LitStr, parse_macro_input};

/// Derives `torch_nn::Module`; see the crate documentation for the attributes.
#[proc_macro_derive(Module, attributes(buffer, module))]
pub fn derive_module(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

struct StructAttrs {
    repr: bool,
    name: Option<String>,
}

fn struct_attrs(input: &DeriveInput) -> syn::Result<StructAttrs> {
    let mut out = StructAttrs {
        repr: false,
        name: None,
    };
    for attr in &input.attrs {
        if !attr.path().is_ident("module") {
            continue;
        }
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("repr") {
                out.repr = true;
                Ok(())
            } else if meta.path.is_ident("name") {
                let lit: LitStr = meta.value()?.parse()?;
                out.name = Some(lit.value());
                Ok(())
            } else {
                Err(meta.error("expected `repr` or `name = \"...\"`"))
            }
        })?;
    }
    Ok(out)
}

enum FieldKind {
    Member,
    Buffer { persistent: bool },
    Skip,
    Flatten,
}

fn field_kind(field: &syn::Field) -> syn::Result<FieldKind> {
    let mut kind = FieldKind::Member;
    for attr in &field.attrs {
        if attr.path().is_ident("buffer") {
            let mut persistent = true;
            if !matches!(attr.meta, syn::Meta::Path(_)) {
                attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("persistent") {
                        let lit: syn::LitBool = meta.value()?.parse()?;
                        persistent = lit.value;
                        Ok(())
                    } else {
                        Err(meta.error("expected `persistent = true|false`"))
                    }
                })?;
            }
            kind = FieldKind::Buffer { persistent };
        } else if attr.path().is_ident("module") {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("skip") {
                    kind = FieldKind::Skip;
                    Ok(())
                } else if meta.path.is_ident("flatten") {
                    kind = FieldKind::Flatten;
                    Ok(())
                } else {
                    Err(meta.error("expected `skip` or `flatten`"))
                }
            })?;
        }
    }
    Ok(kind)
}

fn expand(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let ident = &input.ident;
    let attrs = struct_attrs(input)?;
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            ident,
            "#[derive(Module)] supports structs with named fields",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(
            ident,
            "#[derive(Module)] supports structs with named fields",
        ));
    };
    let mut visits = Vec::new();
    let mut visits_mut = Vec::new();
    for field in &fields.named {
        let Some(name) = &field.ident else { continue };
        let key = name.to_string();
        let key = key.strip_prefix("r#").unwrap_or(&key).to_string();
        match field_kind(field)? {
            FieldKind::Skip => {}
            FieldKind::Flatten => {
                visits.push(quote! { ::torch_nn::Module::visit(&self.#name, f); });
                visits_mut.push(quote! { ::torch_nn::Module::visit_mut(&mut self.#name, f); });
            }
            FieldKind::Member => {
                visits.push(quote! { ::torch_nn::Visit::visit_field(&self.#name, #key, f); });
                visits_mut
                    .push(quote! { ::torch_nn::Visit::visit_field_mut(&mut self.#name, #key, f); });
            }
            FieldKind::Buffer { persistent } => {
                visits.push(quote! {
                    ::torch_nn::VisitBuffer::visit_buffer(&self.#name, #key, #persistent, f);
                });
                visits_mut.push(quote! {
                    ::torch_nn::VisitBuffer::visit_buffer_mut(&mut self.#name, #key, #persistent, f);
                });
            }
        }
    }
    let type_name = attrs.name.unwrap_or_else(|| ident.to_string());
    let extra_repr = if attrs.repr {
        quote! { fn extra_repr(&self) -> String { Self::extra_repr(self) } }
    } else {
        quote! {}
    };
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics ::torch_nn::Module for #ident #ty_generics #where_clause {
            fn visit<'a>(&'a self, f: &mut dyn FnMut(&str, ::torch_nn::Member<'a>)) {
                #(#visits)*
            }
            fn visit_mut(&mut self, f: &mut dyn FnMut(&str, ::torch_nn::MemberMut<'_>)) {
                #(#visits_mut)*
            }
            fn type_name(&self) -> &str { #type_name }
            #extra_repr
            fn as_any(&self) -> &dyn ::std::any::Any { self }
            fn as_module(&self) -> &dyn ::torch_nn::Module { self }
        }
        impl #impl_generics ::std::fmt::Display for #ident #ty_generics #where_clause {
            fn fmt(&self, fmt: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::torch_nn::fmt_module(self, fmt)
            }
        }
    })
}

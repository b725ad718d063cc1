//! A safe unpickler for the binary opcodes (protocols 2 to 5) that `torch.save` emits. It never
//! runs code: globals resolve only through the allow-list in `globals.rs`, and every length,
//! memo index and stack access is checked, so a truncated or hostile stream is an
//! `Error::Format` naming the file, never a panic or an allocation larger than the stream.

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use super::globals::{self, Global};
use super::storage::PtStorage;
use super::value::PtValue;
use crate::{Error, Result, Tensor};

/// A value on the unpickler's stack. Lists and dicts live in the `Arena` (they are mutable and
/// may be shared through the memo); everything else is cheap to clone.
#[derive(Clone, Debug)]
pub(super) enum Val {
    None,
    Bool(bool),
    Int(i64),
    /// A `LONG1`/`LONG4` integer wider than 64 bits (usable nowhere, refused in the tree).
    BigInt,
    Float(f64),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    Tuple(Rc<[Val]>),
    List(usize),
    Dict(usize),
    Tensor(Tensor),
    Storage(Rc<PtStorage>),
    Global(Global),
}

impl Val {
    /// The Python type name, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Val::None => "None",
            Val::Bool(_) => "bool",
            Val::Int(_) | Val::BigInt => "int",
            Val::Float(_) => "float",
            Val::Str(_) => "str",
            Val::Bytes(_) => "bytes",
            Val::Tuple(_) => "tuple",
            Val::List(_) => "list",
            Val::Dict(_) => "dict",
            Val::Tensor(_) => "tensor",
            Val::Storage(_) => "storage",
            Val::Global(_) => "global",
        }
    }

    /// A non-negative int as `usize`.
    pub fn as_usize(&self) -> Option<usize> {
        match self {
            Val::Int(i) => usize::try_from(*i).ok(),
            _ => None,
        }
    }
}

/// A mutable container built by the pickle.
#[derive(Debug)]
pub(super) enum Container {
    List(Vec<Val>),
    Dict(Vec<(Val, Val)>),
}

/// Every list and dict of one pickle, addressed by index from `Val::List`/`Val::Dict`.
#[derive(Debug, Default)]
pub(super) struct Arena(Vec<Container>);

impl Arena {
    /// Stores a new container and returns the value that refers to it.
    pub fn push(&mut self, c: Container) -> Val {
        let i = self.0.len();
        let v = match c {
            Container::List(_) => Val::List(i),
            Container::Dict(_) => Val::Dict(i),
        };
        self.0.push(c);
        v
    }

    /// The container at `i` (indices come only from `push`).
    pub fn get(&self, i: usize) -> &Container {
        &self.0[i]
    }

    fn get_mut(&mut self, i: usize) -> &mut Container {
        &mut self.0[i]
    }
}

/// Resolves `BINPERSID` ids; each file format supplies its own.
pub(super) trait PersistentLoad {
    /// The object the persistent id `pid` names.
    fn load(&mut self, pid: &Val) -> Result<Val, String>;
}

/// A format without persistent ids (the legacy format's small header pickles).
pub(super) struct NoPersistentIds;

impl PersistentLoad for NoPersistentIds {
    fn load(&mut self, _pid: &Val) -> Result<Val, String> {
        Err("this pickle may not hold persistent ids".into())
    }
}

/// Deepest nesting of containers accepted when building the value tree.
const MAX_DEPTH: usize = 512;

/// One pickle's stack machine.
pub(super) struct Unpickler<'a> {
    data: &'a [u8],
    pos: usize,
    /// Start of the opcode being run, for messages.
    op_pos: usize,
    path: &'a Path,
    what: &'a str,
    stack: Vec<Val>,
    marks: Vec<usize>,
    memo: HashMap<u32, Val>,
    arena: Arena,
}

/// Unpickles one pickle from the start of `data`, returning the value and the number of bytes
/// it took. `what` names the pickle in messages (`"archive/data.pkl"`).
pub(super) fn unpickle(
    data: &[u8],
    path: &Path,
    what: &str,
    persistent: &mut dyn PersistentLoad,
) -> Result<(PtValue, usize)> {
    let mut u = Unpickler {
        data,
        pos: 0,
        op_pos: 0,
        path,
        what,
        stack: Vec::new(),
        marks: Vec::new(),
        memo: HashMap::new(),
        arena: Arena::default(),
    };
    let top = u.run(persistent)?;
    // Shared references are copied into the tree: cap the copies so a small pickle cannot
    // expand into an exponentially large tree.
    let mut budget = data.len().saturating_mul(16).max(1 << 20);
    let value = u.to_value(&top, 0, &mut budget)?;
    Ok((value, u.pos))
}

impl Unpickler<'_> {
    fn err(&self, msg: impl std::fmt::Display) -> Error {
        Error::format(
            self.path,
            format!("pt: {} at byte {}: {msg}", self.what, self.op_pos),
        )
    }

    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let left = self.data.len() - self.pos;
        if n > left {
            return Err(self.err(format!(
                "truncated: {n} bytes needed, {left} left (truncated or corrupt file?)"
            )));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    /// A length prefix of `N` little-endian bytes, as `usize`.
    fn len<const N: usize>(&mut self) -> Result<usize> {
        let mut a = [0u8; 8];
        a[..N].copy_from_slice(&self.array::<N>()?);
        usize::try_from(u64::from_le_bytes(a)).map_err(|_| self.err("length overflows usize"))
    }

    fn line(&mut self) -> Result<&str> {
        let rest = &self.data[self.pos..];
        let Some(n) = rest.iter().position(|&b| b == b'\n') else {
            return Err(self.err("truncated: GLOBAL without a newline"));
        };
        let s = std::str::from_utf8(&rest[..n]).map_err(|_| self.err("GLOBAL is not UTF-8"))?;
        self.pos += n + 1;
        Ok(s)
    }

    fn pop(&mut self) -> Result<Val> {
        let floor = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() <= floor {
            return Err(self.err("stack underflow"));
        }
        self.stack.pop().ok_or_else(|| self.err("stack underflow"))
    }

    fn top(&self) -> Result<&Val> {
        let floor = self.marks.last().copied().unwrap_or(0);
        match self.stack.last() {
            Some(v) if self.stack.len() > floor => Ok(v),
            _ => Err(self.err("stack underflow")),
        }
    }

    /// The items pushed since the last MARK (which is removed).
    fn pop_mark(&mut self) -> Result<Vec<Val>> {
        let Some(m) = self.marks.pop() else {
            return Err(self.err("no MARK on the stack"));
        };
        Ok(self.stack.split_off(m))
    }

    fn str_val(&mut self, n: usize) -> Result<Val> {
        let bytes = self.take(n)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(Val::Str(s.into())),
            Err(_) => Err(self.err("string is not valid UTF-8")),
        }
    }

    fn bytes_val(&mut self, n: usize) -> Result<Val> {
        Ok(Val::Bytes(self.take(n)?.into()))
    }

    /// A `LONG1`/`LONG4` payload: little-endian two's complement.
    fn long(&mut self, n: usize) -> Result<Val> {
        let bytes = self.take(n)?;
        if n > 8 {
            return Ok(Val::BigInt);
        }
        let negative = bytes.last().is_some_and(|&b| b & 0x80 != 0);
        let mut a = [if negative { 0xff } else { 0 }; 8];
        a[..n].copy_from_slice(bytes);
        Ok(Val::Int(i64::from_le_bytes(a)))
    }

    fn memo_put(&mut self, key: u32) -> Result<()> {
        let v = self.top()?.clone();
        self.memo.insert(key, v);
        Ok(())
    }

    fn memo_get(&mut self, key: u32) -> Result<()> {
        match self.memo.get(&key) {
            Some(v) => {
                let v = v.clone();
                self.stack.push(v);
                Ok(())
            }
            None => Err(self.err(format!("memo key {key} was never stored"))),
        }
    }

    fn global(&self, module: &str, name: &str) -> Result<Val> {
        globals::resolve(module, name)
            .map(Val::Global)
            .ok_or_else(|| {
                self.err(format!(
                    "global `{module}.{name}` is not allowed (a checkpoint may hold only tensors, \
                 storages and plain Python containers; nothing else is loaded)"
                ))
            })
    }

    fn call(&mut self, callable: Val, args: Val) -> Result<Val> {
        let Val::Global(g) = callable else {
            return Err(self.err(format!("cannot call a {}", callable.kind())));
        };
        let Val::Tuple(args) = args else {
            return Err(self.err(format!(
                "arguments of {} are a {}, not a tuple",
                g.name(),
                args.kind()
            )));
        };
        g.call(&args, &mut self.arena)
            .map_err(|m| self.err(format!("{}: {m}", g.name())))
    }

    fn dict_mut(&mut self, target: &Val) -> Result<&mut Vec<(Val, Val)>> {
        let i = match target {
            Val::Dict(i) => *i,
            other => return Err(self.err(format!("SETITEM on a {}, not a dict", other.kind()))),
        };
        match self.arena.get_mut(i) {
            Container::Dict(d) => Ok(d),
            Container::List(_) => Err(Error::format(self.path, "pt: internal: dict is a list")),
        }
    }

    fn list_mut(&mut self, target: &Val) -> Result<&mut Vec<Val>> {
        let i = match target {
            Val::List(i) => *i,
            other => return Err(self.err(format!("APPEND on a {}, not a list", other.kind()))),
        };
        match self.arena.get_mut(i) {
            Container::List(l) => Ok(l),
            Container::Dict(_) => Err(Error::format(self.path, "pt: internal: list is a dict")),
        }
    }

    fn run(&mut self, persistent: &mut dyn PersistentLoad) -> Result<Val> {
        loop {
            self.op_pos = self.pos;
            let op = self.u8()?;
            match op {
                // PROTO
                0x80 => {
                    let p = self.u8()?;
                    if p > 5 {
                        return Err(self.err(format!("unsupported pickle protocol {p}")));
                    }
                }
                // FRAME: framing is only a read-ahead hint.
                0x95 => {
                    self.take(8)?;
                }
                // STOP
                b'.' => {
                    let v = self.pop()?;
                    if !self.stack.is_empty() || !self.marks.is_empty() {
                        return Err(self.err("STOP with values left on the stack"));
                    }
                    return Ok(v);
                }
                b'(' => self.marks.push(self.stack.len()),
                // POP_MARK
                b'1' => {
                    self.pop_mark()?;
                }
                // POP
                b'0' => {
                    self.pop()?;
                }
                // DUP
                b'2' => {
                    let v = self.top()?.clone();
                    self.stack.push(v);
                }
                b'N' => self.stack.push(Val::None),
                0x88 => self.stack.push(Val::Bool(true)),
                0x89 => self.stack.push(Val::Bool(false)),
                // BININT, BININT1, BININT2
                b'J' => {
                    let v = i32::from_le_bytes(self.array()?);
                    self.stack.push(Val::Int(v.into()));
                }
                b'K' => {
                    let v = self.u8()?;
                    self.stack.push(Val::Int(v.into()));
                }
                b'M' => {
                    let v = u16::from_le_bytes(self.array()?);
                    self.stack.push(Val::Int(v.into()));
                }
                // LONG1, LONG4
                0x8a => {
                    let n = self.len::<1>()?;
                    let v = self.long(n)?;
                    self.stack.push(v);
                }
                0x8b => {
                    let n = i32::from_le_bytes(self.array()?);
                    let n = usize::try_from(n).map_err(|_| self.err("negative LONG4 length"))?;
                    let v = self.long(n)?;
                    self.stack.push(v);
                }
                // BINFLOAT (big-endian)
                b'G' => {
                    let v = f64::from_be_bytes(self.array()?);
                    self.stack.push(Val::Float(v));
                }
                // SHORT_BINUNICODE, BINUNICODE, BINUNICODE8
                0x8c => {
                    let n = self.len::<1>()?;
                    let v = self.str_val(n)?;
                    self.stack.push(v);
                }
                b'X' => {
                    let n = self.len::<4>()?;
                    let v = self.str_val(n)?;
                    self.stack.push(v);
                }
                0x8d => {
                    let n = self.len::<8>()?;
                    let v = self.str_val(n)?;
                    self.stack.push(v);
                }
                // SHORT_BINBYTES, BINBYTES, BINBYTES8, BYTEARRAY8
                b'C' => {
                    let n = self.len::<1>()?;
                    let v = self.bytes_val(n)?;
                    self.stack.push(v);
                }
                b'B' => {
                    let n = self.len::<4>()?;
                    let v = self.bytes_val(n)?;
                    self.stack.push(v);
                }
                0x8e | 0x96 => {
                    let n = self.len::<8>()?;
                    let v = self.bytes_val(n)?;
                    self.stack.push(v);
                }
                // EMPTY_DICT, EMPTY_LIST, EMPTY_TUPLE
                b'}' => {
                    let v = self.arena.push(Container::Dict(Vec::new()));
                    self.stack.push(v);
                }
                b']' => {
                    let v = self.arena.push(Container::List(Vec::new()));
                    self.stack.push(v);
                }
                b')' => self.stack.push(Val::Tuple(Rc::new([]))),
                // TUPLE1, TUPLE2, TUPLE3
                0x85..=0x87 => {
                    let n = usize::from(op - 0x84);
                    let floor = self.marks.last().copied().unwrap_or(0);
                    if self.stack.len() < floor + n {
                        return Err(self.err("stack underflow"));
                    }
                    let items = self.stack.split_off(self.stack.len() - n);
                    self.stack.push(Val::Tuple(items.into()));
                }
                // TUPLE, LIST, DICT (from the mark)
                b't' => {
                    let items = self.pop_mark()?;
                    self.stack.push(Val::Tuple(items.into()));
                }
                b'l' => {
                    let items = self.pop_mark()?;
                    let v = self.arena.push(Container::List(items));
                    self.stack.push(v);
                }
                b'd' => {
                    let items = self.pop_mark()?;
                    let pairs = self.pairs(items)?;
                    let v = self.arena.push(Container::Dict(pairs));
                    self.stack.push(v);
                }
                // SETITEM, SETITEMS
                b's' => {
                    let value = self.pop()?;
                    let key = self.pop()?;
                    let target = self.top()?.clone();
                    self.dict_mut(&target)?.push((key, value));
                }
                b'u' => {
                    let items = self.pop_mark()?;
                    let pairs = self.pairs(items)?;
                    let target = self.top()?.clone();
                    self.dict_mut(&target)?.extend(pairs);
                }
                // APPEND, APPENDS
                b'a' => {
                    let value = self.pop()?;
                    let target = self.top()?.clone();
                    self.list_mut(&target)?.push(value);
                }
                b'e' => {
                    let items = self.pop_mark()?;
                    let target = self.top()?.clone();
                    self.list_mut(&target)?.extend(items);
                }
                // BINPUT, LONG_BINPUT, MEMOIZE
                b'q' => {
                    let k = self.u8()?;
                    self.memo_put(k.into())?;
                }
                b'r' => {
                    let k = u32::from_le_bytes(self.array()?);
                    self.memo_put(k)?;
                }
                0x94 => {
                    let k = u32::try_from(self.memo.len()).map_err(|_| self.err("memo is full"))?;
                    self.memo_put(k)?;
                }
                // BINGET, LONG_BINGET
                b'h' => {
                    let k = self.u8()?;
                    self.memo_get(k.into())?;
                }
                b'j' => {
                    let k = u32::from_le_bytes(self.array()?);
                    self.memo_get(k)?;
                }
                // GLOBAL, STACK_GLOBAL
                b'c' => {
                    let module = self.line()?.to_string();
                    let name = self.line()?.to_string();
                    let v = self.global(&module, &name)?;
                    self.stack.push(v);
                }
                0x93 => {
                    let name = self.pop()?;
                    let module = self.pop()?;
                    let (Val::Str(module), Val::Str(name)) = (&module, &name) else {
                        return Err(self.err("STACK_GLOBAL needs two strings"));
                    };
                    let v = self.global(module, name)?;
                    self.stack.push(v);
                }
                // REDUCE, NEWOBJ
                b'R' | 0x81 => {
                    let args = self.pop()?;
                    let callable = self.pop()?;
                    let v = self.call(callable, args)?;
                    self.stack.push(v);
                }
                // NEWOBJ_EX: keyword arguments are not supported.
                0x92 => {
                    let kwargs = self.pop()?;
                    let args = self.pop()?;
                    let callable = self.pop()?;
                    let empty = match &kwargs {
                        Val::Dict(i) => {
                            matches!(self.arena.get(*i), Container::Dict(d) if d.is_empty())
                        }
                        _ => false,
                    };
                    if !empty {
                        return Err(self.err("NEWOBJ_EX with keyword arguments"));
                    }
                    let v = self.call(callable, args)?;
                    self.stack.push(v);
                }
                // BUILD
                b'b' => {
                    let state = self.pop()?;
                    match (self.top()?, &state) {
                        // OrderedDict's attributes: a state dict's `_metadata` (per-module
                        // versions) is dropped, as the value tree has no attributes.
                        (Val::Dict(_), Val::Dict(_) | Val::None | Val::Tuple(_)) => {}
                        (Val::Tensor(_), Val::None) => {}
                        (target, _) => {
                            return Err(self.err(format!(
                                "BUILD (setting attributes) on a {} is not supported",
                                target.kind()
                            )));
                        }
                    }
                }
                // BINPERSID
                b'Q' => {
                    let pid = self.pop()?;
                    let v = persistent.load(&pid).map_err(|m| self.err(m))?;
                    self.stack.push(v);
                }
                other => {
                    return Err(self.err(format!(
                        "unsupported or invalid opcode 0x{other:02x} (corrupt file, or a \
                         pickle feature torch.save does not use)"
                    )));
                }
            }
        }
    }

    fn pairs(&self, items: Vec<Val>) -> Result<Vec<(Val, Val)>> {
        if !items.len().is_multiple_of(2) {
            return Err(self.err("odd number of items for a dict"));
        }
        let mut out = Vec::with_capacity(items.len() / 2);
        let mut it = items.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            out.push((k, v));
        }
        Ok(out)
    }

    fn to_value(&self, v: &Val, depth: usize, budget: &mut usize) -> Result<PtValue> {
        if depth > MAX_DEPTH {
            return Err(self.err(format!("values nested deeper than {MAX_DEPTH} levels")));
        }
        if *budget == 0 {
            return Err(self.err("the value tree is too large (shared references expand)"));
        }
        *budget -= 1;
        let seq = |items: &[Val], budget: &mut usize| -> Result<Vec<PtValue>> {
            items
                .iter()
                .map(|x| self.to_value(x, depth + 1, budget))
                .collect()
        };
        Ok(match v {
            Val::None => PtValue::None,
            Val::Bool(b) => PtValue::Bool(*b),
            Val::Int(i) => PtValue::Int(*i),
            Val::BigInt => {
                return Err(self.err("an int does not fit in 64 bits"));
            }
            Val::Float(f) => PtValue::Float(*f),
            Val::Str(s) => PtValue::Str(s.to_string()),
            Val::Bytes(b) => PtValue::Bytes(b.to_vec()),
            Val::Tuple(items) => PtValue::Tuple(seq(items, budget)?),
            Val::List(i) => match self.arena.get(*i) {
                Container::List(items) => PtValue::List(seq(items, budget)?),
                Container::Dict(_) => return Err(self.err("internal: list is a dict")),
            },
            Val::Dict(i) => match self.arena.get(*i) {
                Container::Dict(entries) => {
                    let mut out = Vec::with_capacity(entries.len());
                    for (k, x) in entries {
                        out.push((
                            self.to_value(k, depth + 1, budget)?,
                            self.to_value(x, depth + 1, budget)?,
                        ));
                    }
                    PtValue::Dict(out)
                }
                Container::List(_) => return Err(self.err("internal: dict is a list")),
            },
            Val::Tensor(t) => PtValue::Tensor(t.clone()),
            Val::Storage(s) => PtValue::Tensor(s.as_tensor().map_err(|m| self.err(m))?),
            Val::Global(g) => {
                return Err(self.err(format!("{} cannot be returned as a value", g.name())));
            }
        })
    }
}

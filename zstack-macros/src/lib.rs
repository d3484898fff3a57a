use proc_macro::TokenStream;

#[proc_macro_derive(Api, attributes(api))]
pub fn derive_api(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}

package io.herald;
public final class Herald { public static void main(String[] a) {} }

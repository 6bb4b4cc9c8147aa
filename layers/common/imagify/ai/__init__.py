"""The models behind the product: Gemini draws images, a LLaMA model on Bedrock gives style advice."""

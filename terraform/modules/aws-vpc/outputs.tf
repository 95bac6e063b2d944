output "vpc_id" {
  description = "VPC id."
  value       = aws_vpc.this.id
}

output "public_subnet_id" {
  description = "Id of the subnet the Jenkins instance lives in."
  value       = aws_subnet.public.id
}

output "availability_zone" {
  description = "Availability zone of the subnet (EBS volumes must be in the same zone)."
  value       = aws_subnet.public.availability_zone
}
